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

/// <summary>The UTF-8 reader must give what the document form gives, for every shape of answer.</summary>
public sealed class BoundAnswerReaderTests
{
    private static readonly IReadOnlyList<CrimeAreaName> Areas =
        [new() { Code = "DRUGS", NameEn = "Drugs", NameSrLatn = "Droge" }, new() { Code = "THB", NameEn = "THB", NameSrLatn = "THB" }];

    public static TheoryData<string, string> Answers => new()
    {
        { QuestionnaireTemplates.FiveIndicator, """{"DRUGS_indicators":{"RESOURCES":4,"SCOPE":"5","DAMAGE":2},"DRUGS_confidence":"LOW","THB_indicators":{"FLEXIBILITY":3}}""" },
        { QuestionnaireTemplates.FiveIndicator, """{"DRUGS_confidence":"MEDIUM","DRUGS_indicators":{"RESOURCES":4.5,"SCOPE":" 2 ","DAMAGE":"2.5e0","EXPERTISE":1}}""" },
        { QuestionnaireTemplates.FiveIndicator, """{"THB_indicators":{"DAMAGE":5},"DRUGS_indicators":{"SCOPE":1},"THB_confidence":"low","DRUGS_confidence":"HIGH"}""" },
        { QuestionnaireTemplates.FiveIndicator, """{"DRUGS_indicators":{"SCOPE":1,"SCOPE":3},"DRUGS_indicators":{"DAMAGE":4},"DRUGS_confidence":"LOW","DRUGS_confidence":7}""" },
        { QuestionnaireTemplates.FiveIndicator, """{"DRUGS_indicators":{"SCOPE":2},"DRUGS_indicators":[1]}""" },
        { QuestionnaireTemplates.FiveIndicator, """{"DRUGS_indicators":{"SC\u004FPE":2,"DAMAGE":"\u0033"},"DRUGS_c\u006Fnfidence":"\u004C\u004FW"}""" },
        { QuestionnaireTemplates.FiveIndicator, """{"other":{"x":[1,2,{"y":3}]},"DRUGS_indicators":{"RESOURCES":{"deep":1},"SCOPE":null,"DAMAGE":true,"EXPERTISE":0,"FLEXIBILITY":5.0000001}}""" },
        { QuestionnaireTemplates.FiveIndicator, """{"DRUGS_indicators":{"RESOURCES":4}} trailing""" },
        { QuestionnaireTemplates.FiveIndicator, """{"DRUGS_indicators":{"RESOURCES":4},}""" },
        { QuestionnaireTemplates.FiveIndicator, """{"DRUGS_indicators":{"RESOURCES":4}}{}""" },
        { QuestionnaireTemplates.FiveIndicator, """[{"DRUGS_indicators":{"RESOURCES":4}}]""" },
        { QuestionnaireTemplates.FiveIndicator, """  {"DRUGS_indicators":{"RESOURCES":"1e400"}}  """ },
        { QuestionnaireTemplates.FiveIndicator, "" },
        { QuestionnaireTemplates.FiveIndicator, "not json" },
        { QuestionnaireTemplates.SocialTolerance, """{"THB_social_tolerance":2,"DRUGS_social_tolerance":"4"}""" },
        { QuestionnaireTemplates.Pestle, """
            {"pestle_POLITICAL":[{"factor":"Visa  liberalisation.","impact":4,"likelihood":5},{"factor":"x","impact":9,"likelihood":1},{"factor":"","impact":3,"likelihood":3},7,{"factor":{"a":1},"impact":2,"likelihood":2}],
             "pestle_LEGAL":[{"factor":" visa liberalisation ","impact":"2","likelihood":2,"factor":"Courts","extra":[1,2]}],
             "pestle_ECONOMIC":{"factor":"not a list"}}
            """ },
        { QuestionnaireTemplates.Pestle, """{"pestle_POLITICAL":[{"factor":"a","impact":4,"likelihood":5}],"pestle_POLITICAL":[{"factor":"b","impact":1,"likelihood":1}]}""" },
        { QuestionnaireTemplates.SituationalReport, """{"DRUGS_trend":"INCREASING"}""" },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Utf8_reader_gives_what_the_document_form_gives(string template, string data)
    {
        var bound = BoundAnswers.FromJson(QuestionnaireTemplates.Generate(template, Areas).BindingsJson);
        var (scores, factors) = bound.Read(data);
        var reader = bound.CreateReader();
        reader.Read(System.Text.Encoding.UTF8.GetBytes("""{"THB_indicators":{"DAMAGE":3}}""")); // left-overs must not leak into the next read
        reader.Read(System.Text.Encoding.UTF8.GetBytes(data));

        var read = reader.Scores.ToArray().Select(s => new BoundScore(bound.IndicatorBindings[s.Binding].CrimeArea!, bound.IndicatorBindings[s.Binding].Indicator!, s.Value, s.Confidence));
        Assert.Equal(scores, read);
        Assert.Equal(factors, reader.Factors);
    }

    /// <summary>Shapes at the edge of the reader's fast scanner (plain names, whole numbers): taken or handed to the general reader.</summary>
    public static TheoryData<string> ScannerEdges => new()
    {
        "{ \"DRUGS_indicators\" : { \"SCOPE\" : 4 ,\n \"DAMAGE\":2 } ,\t\"DRUGS_confidence\" : \"LOW\" }\r\n",
        """{"DRUGS_indicators":{"SCOPE":04,"DAMAGE":2}}""",
        """{"DRUGS_indicators":{"SCOPE":-1,"DAMAGE":3,"RESOURCES":-0}}""",
        """{"DRUGS_indicators":{"SCOPE":3.0,"DAMAGE":1e0,"RESOURCES":2E0,"EXPERTISE":4.}}""",
        """{"DRUGS_indicators":{"SCOPE":1234567890123456789,"DAMAGE":123456789012345,"RESOURCES":2}}""",
        """{"DRUGS_indicators":{"SCOPE":true,"DAMAGE":nul,"RESOURCES":2}}""",
        """{"DRUGS_indicators":{"SCOPE":false,"DAMAGE":null,"RESOURCES":2}}""",
        """{"note":"Čelik ✓","DRUGS_indicators":{"SCOPE":2},"DRUGS_confidence":"MEDIUM"}""",
        "{\"note\":\"a\tb\",\"DRUGS_indicators\":{\"SCOPE\":2}}",
        """{"DRUGS_indicators":{"SCOPE":4}""",
        """{"DRUGS_indicators":{"SCOPE":4}}x""",
        """{"DRUGS_indicators":{"SCOPE":4 5}}""",
        """{"DRUGS_indicators":{"SCOPE":4},"DRUGS_indicators":"none"}""",
        """{"DRUGS_indicators":{"SCOPE":4},"DRUGS_confidence":"LOW","DRUGS_confidence":{"x":"HIGH"}}""",
        """{"DRUGS_indicators":{"SCOPE":4,"DAMAGE":[1,[2,{"a":[]}],"x"]},"THB_indicators":{}}""",
        """{}""",
        """{"DRUGS_indicators":{"SCOPE":2,}}""",
        """{"DRUGS_indicators":{"SCOPE":2}/*c*/}""",
        "{\"DRUGS_indicators\":{\"SCOPE\":5},\"x\":" + string.Concat(Enumerable.Repeat("{\"x\":", 40)) + "1" + new string('}', 41),
        "{\"DRUGS_indicators\":{\"SCOPE\":5},\"x\":" + string.Concat(Enumerable.Repeat("[", 70)) + new string(']', 70) + "}",
    };

    [Theory]
    [MemberData(nameof(ScannerEdges))]
    public void Reader_gives_what_the_document_form_gives_at_the_edges_of_its_fast_scanner(string data)
    {
        var bound = BoundAnswers.FromJson(QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, Areas).BindingsJson);
        var (scores, _) = bound.Read(data);
        var reader = bound.CreateReader();
        reader.Read(System.Text.Encoding.UTF8.GetBytes("""{"DRUGS_indicators":{"SCOPE":3},"DRUGS_confidence":"LOW"}"""));
        reader.Read(System.Text.Encoding.UTF8.GetBytes(data));

        Assert.Equal(scores, reader.Scores.ToArray().Select(s => new BoundScore(bound.IndicatorBindings[s.Binding].CrimeArea!, bound.IndicatorBindings[s.Binding].Indicator!, s.Value, s.Confidence)));
    }

    [Fact]
    public void Reader_and_document_agree_on_generated_responses()
    {
        var bound = BoundAnswers.FromJson(QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, Areas).BindingsJson);
        var reader = bound.CreateReader();
        var random = new Random(5);
        string[] pieces = ["1", "2", "3", "4", "5", "\"3\"", "0", "6", "null", "\"x\"", "2.5"];
        string[] confidences = ["\"HIGH\"", "\"MEDIUM\"", "\"LOW\"", "\"?\"", "1"];
        var seen = 0;
        for (var n = 0; n < 300; n++)
        {
            var parts = new List<string>();
            foreach (var area in new[] { "DRUGS", "THB" })
            {
                var cells = Indicators.All.Where(_ => random.Next(4) > 0).Select(i => $"\"{i}\":{pieces[random.Next(pieces.Length)]}");
                parts.Add($"\"{area}_indicators\":{{{string.Join(",", cells)}}}");
                if (random.Next(3) > 0) parts.Add($"\"{area}_confidence\":{confidences[random.Next(confidences.Length)]}");
            }
            var data = "{" + string.Join(",", parts.OrderBy(_ => random.Next())) + "}";
            var (scores, _) = bound.Read(data);
            Assert.True(reader.Read(System.Text.Encoding.UTF8.GetBytes(data)));
            Assert.Equal(scores, reader.Scores.ToArray().Select(s => new BoundScore(bound.IndicatorBindings[s.Binding].CrimeArea!, bound.IndicatorBindings[s.Binding].Indicator!, s.Value, s.Confidence)));
            seen += scores.Count;
        }
        Assert.True(seen > 1000);
    }

    [Fact]
    public void Answers_of_questions_with_a_value_name_are_read_under_that_name_by_both_readers()
    {
        const string schema = """
            { "pages": [ { "elements": [
              { "type": "panel", "name": "box", "elements": [
                { "type": "rating", "name": "thb_damage", "valueName": "THB_DAMAGE_VAL" },
                { "type": "radiogroup", "name": "thb_confidence", "valueName": "THB_CONF", "choices": [ "HIGH", "MEDIUM", "LOW" ] } ] },
              { "type": "paneldynamic", "name": "legal", "valueName": "LEGAL_FACTORS", "templateElements": [
                { "type": "text", "name": "factor" }, { "type": "rating", "name": "impact" }, { "type": "rating", "name": "likelihood" } ] }
            ] } ] }
            """;
        const string bindings = """
            [ { "kind": "INDICATOR", "question": "thb_damage", "crimeArea": "THB", "indicator": "DAMAGE" },
              { "kind": "CONFIDENCE", "question": "thb_confidence", "crimeArea": "THB" },
              { "kind": "PESTLE_FACTOR", "question": "legal", "dimension": "LEGAL", "factor": "factor", "impact": "impact", "likelihood": "likelihood" } ]
            """;
        // What the form stores (and the server's answer check accepts) for these questions.
        const string data = """{ "THB_DAMAGE_VAL": 4, "THB_CONF": "LOW", "LEGAL_FACTORS": [ { "factor": "New law", "impact": 3, "likelihood": 2 } ] }""";
        Assert.Empty(Consultation.Core.Responses.AnswerValidator.Validate(schema, data));
        Assert.True(QuestionnaireValidator.Validate(schema, bindings).IsValid);

        var bound = BoundAnswers.FromJson(bindings, schema);
        var (scores, factors) = bound.Read(data);
        var reader = bound.CreateReader();
        Assert.True(reader.Read(System.Text.Encoding.UTF8.GetBytes(data)));

        Assert.Equal([new BoundScore("THB", Indicators.Damage, 4, Confidence.Low)], scores);
        Assert.Equal([new BoundValue(0, 4, Confidence.Low)], reader.Scores.ToArray());
        Assert.Equal(["New law"], factors.Select(f => f.Text));
        Assert.Equal(factors, reader.Factors);
        // Without the definition the bindings look for the question names, where nothing is stored.
        Assert.Empty(BoundAnswers.FromJson(bindings).Read(data).Scores);
    }
}
