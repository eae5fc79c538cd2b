using Consultation.Core.Questionnaires;
using Consultation.Core.Scales;

namespace Consultation.Core.Tests.Questionnaires;

public sealed class BoundAnswersTests
{
    private static readonly IReadOnlyList<CrimeAreaName> Areas =
        [new() { Code = "DRUGS", NameEn = "Drugs", NameSrLatn = "Droge" }, new() { Code = "THB", NameEn = "THB", NameSrLatn = "THB" }];

    private static BoundAnswers Template(string template) => BoundAnswers.FromJson(QuestionnaireTemplates.Generate(template, Areas).BindingsJson);

    [Fact]
    public void Five_indicator_matrix_gives_one_score_per_answered_row_with_the_area_confidence()
    {
        var (scores, factors) = Template(QuestionnaireTemplates.FiveIndicator).Read("""
            {"DRUGS_indicators":{"RESOURCES":4,"SCOPE":"5","DAMAGE":2},"DRUGS_confidence":"LOW","THB_indicators":{"FLEXIBILITY":3}}
            """);

        Assert.Empty(factors);
        Assert.Equal(
            [new BoundScore("DRUGS", "RESOURCES", 4, Confidence.Low), new BoundScore("DRUGS", "SCOPE", 5, Confidence.Low),
             new BoundScore("DRUGS", "DAMAGE", 2, Confidence.Low), new BoundScore("THB", "FLEXIBILITY", 3, Confidence.High)],
            scores);
    }

    [Theory]
    [InlineData("""{"DRUGS_indicators":{"RESOURCES":0}}""")]
    [InlineData("""{"DRUGS_indicators":{"RESOURCES":6}}""")]
    [InlineData("""{"DRUGS_indicators":{"RESOURCES":"high"}}""")]
    [InlineData("""{"DRUGS_indicators":[4]}""")]
    [InlineData("""not json""")]
    [InlineData("""[]""")]
    public void Unusable_answers_give_no_value(string data) =>
        Assert.Empty(Template(QuestionnaireTemplates.FiveIndicator).Read(data).Scores);

    [Fact]
    public void Social_tolerance_rating_binds_to_the_social_tolerance_indicator()
    {
        var (scores, _) = Template(QuestionnaireTemplates.SocialTolerance).Read("""{"THB_social_tolerance":2}""");
        Assert.Equal([new BoundScore("THB", Indicators.SocialTolerance, 2, Confidence.High)], scores);
    }

    [Fact]
    public void Pestle_panels_give_factors_with_a_key_that_ignores_case_spaces_and_a_final_full_stop()
    {
        var (_, factors) = Template(QuestionnaireTemplates.Pestle).Read("""
            {"pestle_POLITICAL":[{"factor":"Visa  liberalisation.","impact":4,"likelihood":5},{"factor":"x","impact":9,"likelihood":1},{"factor":"","impact":3,"likelihood":3}],
             "pestle_LEGAL":[{"factor":" visa liberalisation ","impact":2,"likelihood":2}]}
            """);

        Assert.Equal(2, factors.Count);
        Assert.Equal(("text:POLITICAL:visa liberalisation", "Visa  liberalisation.", 4.0, 5.0), (factors[0].FactorKey, factors[0].Text, factors[0].Impact, factors[0].Likelihood));
        Assert.Equal("text:LEGAL:visa liberalisation", factors[1].FactorKey); // same words, other dimension: another factor
        Assert.Equal(BoundAnswers.FactorKey("POLITICAL", "VISA LIBERALISATION"), factors[0].FactorKey);
    }

    [Fact]
    public void Situational_report_binds_nothing()
    {
        var bound = Template(QuestionnaireTemplates.SituationalReport);
        Assert.False(bound.BindsAnything);
        Assert.Empty(bound.Read("""{"DRUGS_trend":"INCREASING"}""").Scores);
    }
}
