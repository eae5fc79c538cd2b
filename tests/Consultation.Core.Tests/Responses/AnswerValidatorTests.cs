using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;

namespace Consultation.Core.Tests.Responses;

public sealed class AnswerValidatorTests
{
    private const string Schema = """
        {
          "pages": [
            { "name": "p1", "elements": [
              { "type": "text", "name": "org_size", "inputType": "number", "min": 1, "max": 500, "isRequired": true },
              { "type": "text", "name": "contact" },
              { "type": "rating", "name": "tolerance", "rateMin": 1, "rateMax": 5 },
              { "type": "rating", "name": "stars", "rateValues": [ 2, 4, { "value": 6, "text": "six" } ] },
              { "type": "radiogroup", "name": "confidence", "choices": [ "HIGH", "MEDIUM", { "value": "LOW", "text": "Low" } ] },
              { "type": "checkbox", "name": "regions", "choices": [ "NORTH", "SOUTH" ] },
              { "type": "dropdown", "name": "trend", "choices": [ "UP", "DOWN" ], "showOtherItem": true },
              { "type": "boolean", "name": "consent" },
              { "type": "panel", "name": "box", "elements": [ { "type": "comment", "name": "remarks", "maxLength": 10 } ] }
            ] },
            { "name": "p2", "elements": [
              { "type": "matrix", "name": "DRUGS_indicators", "isRequired": true, "isAllRowRequired": true,
                "columns": [ { "value": 1, "text": "1" }, { "value": 2, "text": "2" }, { "value": 3, "text": "3" } ],
                "rows": [ { "value": "RESOURCES", "text": "R" }, { "value": "SCOPE", "text": "S" } ] },
              { "type": "matrixdropdown", "name": "grid", "choices": [ 1, 2, 3 ],
                "columns": [ { "name": "score" }, { "name": "note", "cellType": "text" }, { "name": "level", "cellType": "rating", "rateMin": 1, "rateMax": 3 } ],
                "rows": [ "A", "B" ] },
              { "type": "matrixdynamic", "name": "list", "columns": [ { "name": "what", "cellType": "text", "isRequired": true }, { "name": "how", "choices": [ "X", "Y" ] } ] },
              { "type": "paneldynamic", "name": "pestle_LEGAL", "templateElements": [
                { "type": "text", "name": "factor", "isRequired": true },
                { "type": "rating", "name": "impact", "rateMin": 1, "rateMax": 5 }
              ] }
            ] }
          ]
        }
        """;

    private const string Valid = """
        {
          "org_size": 12, "contact": "Ana", "tolerance": 4, "stars": 6, "confidence": "LOW", "regions": [ "NORTH" ],
          "trend": "other", "trend-Comment": "sideways", "consent": true, "remarks": "short",
          "DRUGS_indicators": { "RESOURCES": 3, "SCOPE": 1 },
          "grid": { "A": { "score": 2, "note": "n", "level": 3 } },
          "list": [ { "what": "routes", "how": "X" } ],
          "pestle_LEGAL": [ { "factor": "visa liberalisation", "impact": 5 } ]
        }
        """;

    private static IReadOnlyList<AnswerError> Check(string data) => AnswerValidator.Validate(Schema, data);

    private static string With(string property, string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Valid)!.AsObject();
        if (json == "<remove>") node.Remove(property);
        else node[property] = System.Text.Json.Nodes.JsonNode.Parse(json);
        return node.ToJsonString();
    }

    [Fact]
    public void Complete_valid_answers_pass()
    {
        Assert.Empty(Check(Valid));
    }

    [Fact]
    public void Missing_required_answer_is_rejected_on_that_question()
    {
        var errors = Check(With("org_size", "<remove>"));

        var e = Assert.Single(errors);
        Assert.Equal("org_size", e.Question);
        Assert.Equal("An answer is required.", e.Message);
    }

    [Fact]
    public void Empty_string_counts_as_missing_for_a_required_question()
    {
        var errors = Check(With("pestle_LEGAL", """[ { "factor": "  ", "impact": 2 } ]"""));

        var e = Assert.Single(errors);
        Assert.Equal("pestle_LEGAL", e.Question);
        Assert.Equal("pestle_LEGAL[0].factor", e.Path);
    }

    [Theory]
    [InlineData("org_size", "0")]
    [InlineData("org_size", "501")]
    [InlineData("tolerance", "6")]
    [InlineData("tolerance", "0")]
    [InlineData("tolerance", "2.5")]
    public void Value_out_of_range_is_rejected(string question, string value)
    {
        var e = Assert.Single(Check(With(question, value)));
        Assert.Equal(question, e.Question);
        Assert.Equal("The value must be between {0} and {1}.", e.Message);
    }

    [Theory]
    [InlineData("confidence", "\"VERY_HIGH\"")]
    [InlineData("regions", "[ \"NORTH\", \"EAST\" ]")]
    [InlineData("trend", "\"SIDEWAYS\"")]
    [InlineData("stars", "3")]
    public void Unknown_choice_is_rejected(string question, string value)
    {
        var e = Assert.Single(Check(With(question, value)));
        Assert.Equal(question, e.Question);
        Assert.Equal("\"{0}\" is not one of the offered choices.", e.Message);
    }

    [Fact]
    public void Extra_unknown_question_is_rejected_by_name()
    {
        var e = Assert.Single(Check(With("injected", "\"<script>\"")));
        Assert.Equal("injected", e.Question);
        Assert.Equal("The questionnaire has no question \"{0}\".", e.Message);
        Assert.Equal(["injected"], e.Arguments);
    }

    [Fact]
    public void Comment_beside_a_question_without_comment_area_is_an_unknown_question()
    {
        Assert.Single(Check(With("confidence-Comment", "\"x\"")));
    }

    [Theory]
    [InlineData("org_size", "\"twelve\"", "This answer must be a number.")]
    [InlineData("tolerance", "\"4\"", "This answer must be a number.")]
    [InlineData("contact", "42", "This answer must be text.")]
    [InlineData("consent", "\"yes\"", "This answer must be yes or no.")]
    [InlineData("regions", "\"NORTH\"", "This answer must be a list of choices.")]
    [InlineData("remarks", "\"far too long for ten\"", "The answer is longer than {0} characters.")]
    public void Wrong_type_is_rejected(string question, string value, string message)
    {
        var e = Assert.Single(Check(With(question, value)));
        Assert.Equal(question, e.Question);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("""{ "RESOURCES": 3, "SCOPE": 9 }""", "DRUGS_indicators.SCOPE")]
    [InlineData("""{ "RESOURCES": 3, "SCOPE": 1, "TOLERANCE": 2 }""", "DRUGS_indicators.TOLERANCE")]
    [InlineData("""{ "RESOURCES": 3 }""", "DRUGS_indicators.SCOPE")]
    [InlineData("""{ "RESOURCES": [ 3 ], "SCOPE": 1 }""", "DRUGS_indicators.RESOURCES")]
    public void Bad_matrix_cell_is_rejected_with_its_path(string value, string path)
    {
        var e = Assert.Single(Check(With("DRUGS_indicators", value)));
        Assert.Equal("DRUGS_indicators", e.Question);
        Assert.Equal(path, e.Path);
    }

    [Theory]
    [InlineData("""{ "A": { "score": 7 } }""", "grid.A.score")]
    [InlineData("""{ "C": { "score": 1 } }""", "grid.C")]
    [InlineData("""{ "A": { "colour": 1 } }""", "grid.A.colour")]
    [InlineData("""{ "A": { "level": 4 } }""", "grid.A.level")]
    [InlineData("""{ "A": { "note": 4 } }""", "grid.A.note")]
    public void Bad_multi_column_matrix_cell_is_rejected(string value, string path)
    {
        var e = Assert.Single(Check(With("grid", value)));
        Assert.Equal(path, e.Path);
    }

    [Theory]
    [InlineData("""[ { "what": "x", "how": "Z" } ]""", "list[0].how")]
    [InlineData("""[ { "how": "X" } ]""", "list.0.what")]
    [InlineData("""[ { "what": "x", "why": "?" } ]""", "list[0].why")]
    public void Dynamic_matrix_rows_are_checked_one_by_one(string value, string path)
    {
        var e = Assert.Single(Check(With("list", value)));
        Assert.Equal("list", e.Question);
        Assert.Equal(path, e.Path);
    }

    [Theory]
    [InlineData("""[ { "factor": "f", "impact": 9 } ]""", "pestle_LEGAL[0].impact")]
    [InlineData("""[ { "factor": "f", "impact": 2, "likelihood": 3 } ]""", "pestle_LEGAL[0].likelihood")]
    [InlineData("""[ "text" ]""", "pestle_LEGAL[0]")]
    public void Dynamic_panel_entries_are_checked_recursively(string value, string path)
    {
        var e = Assert.Single(Check(With("pestle_LEGAL", value)));
        Assert.Equal("pestle_LEGAL", e.Question);
        Assert.Equal(path, e.Path);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"x\"")]
    [InlineData("{ nope")]
    [InlineData("")]
    public void Answers_that_are_not_an_object_are_rejected(string data)
    {
        Assert.Single(AnswerValidator.Validate(Schema, data));
        Assert.False(AnswerValidator.IsAnswerObject(data));
    }

    [Fact]
    public void Null_answer_is_no_answer()
    {
        Assert.Empty(Check(With("tolerance", "null")));
        Assert.Single(Check(With("org_size", "null")));
    }

    [Fact]
    public void Five_indicator_template_accepts_its_own_answers_and_rejects_out_of_scale_scores()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator,
            [new CrimeAreaName { Code = "DRUGS", NameEn = "Drugs", NameSrLatn = "Droge" }]);
        const string good = """{ "DRUGS_indicators": { "RESOURCES": 4, "SCOPE": 5, "FLEXIBILITY": 4, "SOCIAL_TOLERANCE": 3, "DAMAGE": 5 }, "DRUGS_confidence": "LOW", "DRUGS_comment": "ok" }""";

        Assert.Empty(AnswerValidator.Validate(g.SchemaJson, good));
        Assert.Single(AnswerValidator.Validate(g.SchemaJson, good.Replace("\"DAMAGE\": 5", "\"DAMAGE\": 6", StringComparison.Ordinal)));
        Assert.Single(AnswerValidator.Validate(g.SchemaJson, good.Replace("\"LOW\"", "\"NONE\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Pestle_template_checks_factor_entries()
    {
        var g = QuestionnaireTemplates.Generate(QuestionnaireTemplates.Pestle, []);

        Assert.Empty(AnswerValidator.Validate(g.SchemaJson, """{ "pestle_LEGAL": [ { "factor": "new law", "impact": 4, "likelihood": 2 } ] }"""));
        var e = Assert.Single(AnswerValidator.Validate(g.SchemaJson, """{ "pestle_LEGAL": [ { "impact": 4, "likelihood": 2 } ] }"""));
        Assert.Equal("pestle_LEGAL[0].factor", e.Path);
    }

    private const string HiddenPanel = """
        { "pages": [ { "name": "p1", "elements": [
          { "type": "boolean", "name": "thb_known", "title": "Do you know about THB?", "isRequired": true },
          { "type": "panel", "name": "thb_panel", "visibleIf": "{thb_known} = true", "elements": [
            { "type": "panel", "name": "inner", "elements": [
              { "type": "rating", "name": "thb_resources", "title": "THB resources", "isRequired": true } ] } ] },
          { "type": "text", "name": "always", "isRequired": true }
        ] } ] }
        """;

    [Fact]
    public void Required_question_inside_a_panel_the_form_can_hide_is_not_required()
    {
        Assert.Empty(AnswerValidator.Validate(HiddenPanel, """{ "thb_known": false, "always": "x" }"""));
        Assert.Empty(AnswerValidator.Validate(HiddenPanel, """{ "thb_known": true, "thb_resources": 4, "always": "x" }"""));
        // The panel's condition does not spread to questions outside it, and answers inside are still checked.
        Assert.Equal(["always"], AnswerValidator.Validate(HiddenPanel, """{ "thb_known": false }""").Select(e => e.Path));
        Assert.Equal(["thb_resources"], AnswerValidator.Validate(HiddenPanel, """{ "thb_known": true, "thb_resources": 9, "always": "x" }""").Select(e => e.Path));
    }

    [Theory]
    [InlineData("\"visibleIf\": \"{thb_known} = true\"")]
    [InlineData("\"enableIf\": \"{thb_known} = true\"")]
    [InlineData("\"visible\": false")]
    public void Required_question_on_a_page_the_form_can_hide_or_disable_is_not_required(string condition)
    {
        var schema = """
            { "pages": [
              { "name": "p1", "elements": [ { "type": "boolean", "name": "thb_known" } ] },
              { "name": "p2", CONDITION, "elements": [ { "type": "panel", "name": "box", "elements": [
                { "type": "rating", "name": "thb_resources", "isRequired": true } ] } ] },
              { "name": "p3", "elements": [ { "type": "text", "name": "always", "isRequired": true } ] }
            ] }
            """.Replace("CONDITION", condition, StringComparison.Ordinal);

        Assert.Empty(AnswerValidator.Validate(schema, """{ "thb_known": false, "always": "x" }"""));
        Assert.Equal(["always"], AnswerValidator.Validate(schema, """{ "thb_known": false }""").Select(e => e.Path));
    }

    [Fact]
    public void Required_question_inside_a_plain_panel_and_page_stays_required()
    {
        var e = Assert.Single(AnswerValidator.Validate(HiddenPanel.Replace("\"visibleIf\": \"{thb_known} = true\", ", "", StringComparison.Ordinal),
            """{ "thb_known": false, "always": "x" }"""));
        Assert.Equal(("thb_resources", "An answer is required."), (e.Path, e.Message));
    }

    [Fact]
    public void Dropdown_with_a_generated_range_accepts_its_numbers_and_refuses_others()
    {
        const string schema = """
            { "elements": [
              { "type": "dropdown", "name": "drugs_damage", "choicesMin": 1, "choicesMax": 5 },
              { "type": "dropdown", "name": "even", "choices": [ "none" ], "choicesMin": 0, "choicesMax": 10, "choicesStep": 2 }
            ] }
            """;

        Assert.Empty(AnswerValidator.Validate(schema, """{ "drugs_damage": 4, "even": 6 }"""));
        Assert.Empty(AnswerValidator.Validate(schema, """{ "drugs_damage": 1, "even": "none" }"""));
        Assert.Empty(AnswerValidator.Validate(schema, """{ "drugs_damage": 5, "even": 0 }"""));
        foreach (var (data, path) in new[] { ("""{ "drugs_damage": 6 }""", "drugs_damage"), ("""{ "drugs_damage": 0 }""", "drugs_damage"),
                     ("""{ "drugs_damage": 2.5 }""", "drugs_damage"), ("""{ "drugs_damage": "four" }""", "drugs_damage"), ("""{ "even": 3 }""", "even") })
        {
            var e = Assert.Single(AnswerValidator.Validate(schema, data));
            Assert.Equal((path, "\"{0}\" is not one of the offered choices."), (e.Path, e.Message));
        }
    }

    [Fact]
    public void Dropdown_column_with_a_generated_range_accepts_its_numbers()
    {
        const string schema = """
            { "elements": [ { "type": "matrixdropdown", "name": "grid", "rows": [ "A" ],
              "columns": [ { "name": "score", "cellType": "dropdown", "choicesMin": 1, "choicesMax": 5 } ] } ] }
            """;

        Assert.Empty(AnswerValidator.Validate(schema, """{ "grid": { "A": { "score": 3 } } }"""));
        Assert.Equal(["grid.A.score"], AnswerValidator.Validate(schema, """{ "grid": { "A": { "score": 7 } } }""").Select(e => e.Path));
    }

    [Fact]
    public void Choices_loaded_from_a_web_service_or_another_question_are_not_refused()
    {
        const string schema = """
            { "elements": [
              { "type": "checkbox", "name": "areas", "choices": [ "DRUGS", "THB" ] },
              { "type": "dropdown", "name": "country", "choicesByUrl": { "url": "/api/countries" } },
              { "type": "radiogroup", "name": "main_area", "choicesFromQuestion": "areas", "choicesFromQuestionMode": "selected" }
            ] }
            """;

        Assert.Empty(AnswerValidator.Validate(schema, """{ "areas": [ "THB" ], "country": "RS", "main_area": "THB" }"""));
        Assert.Equal(["country"], AnswerValidator.Validate(schema, """{ "country": [ "RS" ] }""").Select(e => e.Path));
    }

    [Theory]
    [InlineData("""{ "rateMin": 1, "rateCount": 10 }""", 10, 11)]
    [InlineData("""{ "rateMax": 10, "rateCount": 10 }""", 1, 0)]
    [InlineData("""{ "rateCount": 10 }""", 5, 6)]
    [InlineData("""{ "rateValues": [ 1, 2 ], "autoGenerate": true, "rateMax": 7 }""", 7, 8)]
    public void Rating_offers_the_numbers_SurveyJS_generates_from_its_count(string rating, int offered, int refused)
    {
        var schema = $$"""{ "elements": [ { "type": "rating", "name": "r", {{rating.Trim().TrimStart('{').TrimEnd('}')}} } ] }""";

        Assert.Empty(AnswerValidator.Validate(schema, $$"""{ "r": {{offered}} }"""));
        Assert.Equal(["r"], AnswerValidator.Validate(schema, $$"""{ "r": {{refused}} }""").Select(e => e.Path));
    }
}
