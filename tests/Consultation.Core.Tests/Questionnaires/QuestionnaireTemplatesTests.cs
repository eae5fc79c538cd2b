using System.Text.Json;
using Consultation.Core.Questionnaires;
using Consultation.Core.Scales;

namespace Consultation.Core.Tests.Questionnaires;

public sealed class QuestionnaireTemplatesTests
{
    private static readonly CrimeAreaName[] Areas =
    [
        new() { Code = "DRUGS", NameEn = "Controlled psychoactive substances", NameSrLatn = "Psihoaktivne kontrolisane supstance" },
        new() { Code = "THB", NameEn = "Trafficking in human beings", NameSrLatn = "Trgovina ljudima" },
    ];

    public static TheoryData<string> Templates => new(QuestionnaireTemplates.All);

    [Theory]
    [MemberData(nameof(Templates))]
    public void Template_produces_a_valid_schema_whose_bindings_validate(string template)
    {
        var generated = QuestionnaireTemplates.Generate(template, Areas);

        var check = QuestionnaireValidator.Validate(generated.SchemaJson, generated.BindingsJson, Areas.Select(a => a.Code).ToList());

        Assert.True(check.IsValid, string.Join("; ", check.Errors));
        Assert.Equal(generated.Bindings, check.Bindings);
    }

    [Fact]
    public void Five_indicator_template_binds_every_indicator_and_confidence_of_every_area()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, Areas);

        foreach (var area in Areas)
        {
            var indicators = g.Bindings.Where(b => b.Kind == BindingKinds.Indicator && b.CrimeArea == area.Code).Select(b => b.Indicator ?? "").ToList();
            Assert.Equal(Indicators.All, indicators);
            Assert.Single(g.Bindings, b => b.Kind == BindingKinds.Confidence && b.CrimeArea == area.Code && b.Question == area.Code + "_confidence");
        }
        Assert.Contains("very hard, high barrier", g.SchemaJson, StringComparison.Ordinal);
        Assert.Contains("widely tolerated", g.SchemaJson, StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_carry_english_and_serbian_latin_texts()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, Areas);
        using var doc = JsonDocument.Parse(g.SchemaJson);
        var title = doc.RootElement.GetProperty("pages")[1].GetProperty("title");

        Assert.Equal("Trafficking in human beings", title.GetProperty("default").GetString());
        Assert.Equal("Trgovina ljudima", title.GetProperty(QuestionnaireTemplates.SerbianLatinSurveyLocale).GetString());
    }

    [Fact]
    public void Social_tolerance_binds_each_area_to_the_social_tolerance_indicator()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.SocialTolerance, Areas);
        Assert.Equal(["DRUGS", "THB"], g.Bindings.Select(b => b.CrimeArea ?? "").ToArray());
        Assert.All(g.Bindings, b => Assert.Equal(Indicators.SocialTolerance, b.Indicator));
    }

    [Fact]
    public void Pestle_template_has_one_dynamic_list_per_dimension()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.Pestle, []);
        Assert.Equal(PestleDimensions.All, g.Bindings.Select(b => b.Dimension ?? "").ToList());
        Assert.All(g.Bindings, b => Assert.Equal(("factor", "impact", "likelihood"), (b.Factor, b.Impact, b.Likelihood)));
    }

    [Fact]
    public void Area_templates_need_a_crime_area() =>
        Assert.Throws<ArgumentException>(() => QuestionnaireTemplates.Generate(QuestionnaireTemplates.SituationalReport, []));
}
