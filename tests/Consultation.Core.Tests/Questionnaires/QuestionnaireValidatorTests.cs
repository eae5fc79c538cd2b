using Consultation.Core.Questionnaires;

namespace Consultation.Core.Tests.Questionnaires;

public sealed class QuestionnaireValidatorTests
{
    private const string Valid = """
        { "pages": [ { "name": "p1", "elements": [
            { "type": "matrix", "name": "DRUGS_indicators", "columns": [1,2,3,4,5],
              "rows": [ { "value": "RESOURCES", "text": "Resources" }, "SCOPE" ] },
            { "type": "radiogroup", "name": "DRUGS_confidence", "choices": ["HIGH","MEDIUM","LOW"] },
            { "type": "panel", "name": "box", "elements": [ { "type": "comment", "name": "note" } ] },
            { "type": "paneldynamic", "name": "pestle_SOCIAL", "templateElements": [
                { "type": "text", "name": "factor" }, { "type": "rating", "name": "impact", "rateMin": 1, "rateMax": 5 },
                { "type": "rating", "name": "likelihood" } ] },
            { "type": "paneldynamic", "name": "pestle_LEGAL", "templateElements": [ { "type": "text", "name": "factor" } ] }
        ] } ] }
        """;

    private static SchemaError Single(QuestionnaireCheck check)
    {
        Assert.False(check.IsValid);
        return Assert.Single(check.Errors);
    }

    [Fact]
    public void Valid_schema_with_bindings_passes_and_returns_the_bindings()
    {
        var check = QuestionnaireValidator.Validate(Valid, """
            [ { "kind": "INDICATOR", "question": "DRUGS_indicators", "row": "SCOPE", "crimeArea": "DRUGS", "indicator": "SCOPE" },
              { "kind": "CONFIDENCE", "question": "DRUGS_confidence", "crimeArea": "DRUGS" },
              { "kind": "PESTLE_FACTOR", "question": "pestle_SOCIAL", "dimension": "SOCIAL", "factor": "factor", "impact": "impact", "likelihood": "likelihood" } ]
            """, ["DRUGS"]);

        Assert.True(check.IsValid, string.Join("; ", check.Errors));
        Assert.Equal(3, check.Bindings.Count);
        Assert.Equal("SCOPE", check.Bindings[0].Row);
    }

    [Fact]
    public void Invalid_json_is_reported_with_its_line()
    {
        var e = Single(QuestionnaireValidator.Validate("{ \"pages\": [ }", "[]"));
        Assert.Equal("$", e.Path);
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.Equal("1", e.Arguments[0]);
    }

    [Theory]
    // Half a character (an unpaired surrogate escape) in a name the validator reads, in a text it does not, in bindings.
    [InlineData("""{ "pages": [ { "elements": [ { "type": "text", "name": "q\ud800" } ] } ] }""", "[]", "$")]
    [InlineData("""{ "title": "\udc00 title", "pages": [ { "elements": [ { "type": "text", "name": "q" } ] } ] }""", "[]", "$")]
    [InlineData("""{ "pages": [ { "elements": [ { "type": "text", "name": "q" } ] } ] }""", """[ { "kind": "CONFIDENCE\ud800" } ]""", "bindings")]
    public void A_text_with_half_a_character_is_an_error_not_an_exception(string schema, string bindings, string path)
    {
        var e = Single(QuestionnaireValidator.Validate(schema, bindings));
        Assert.Equal(path, e.Path);
        Assert.Equal("A text contains half of a character (an unpaired surrogate escape): remove it.", e.Message);
    }

    [Fact]
    public void A_property_twice_in_one_object_is_named_with_its_object()
    {
        var e = Single(QuestionnaireValidator.Validate("{ \"title\": \"a\",\n  \"title\": \"b\", \"pages\": [ { \"elements\": [ { \"type\": \"text\", \"name\": \"q\" } ] } ] }", "[]"));
        Assert.Equal("$", e.Path);
        Assert.Equal("\"{0}\" is given twice in the same object: keep one.", e.Message);
        Assert.Equal("title", e.Arguments[0]);

        var nested = Single(QuestionnaireValidator.Validate("{ \"pages\": [ { \"elements\": [ { \"type\": \"html\", \"name\": \"h\", \"html\": \"a\", \"html\": \"b\" } ] } ] }", "[]"));
        Assert.Equal("$.pages[0].elements[0]", nested.Path);
        Assert.Equal("html", nested.Arguments[0]);

        var b = Single(QuestionnaireValidator.Validate(
            "{ \"pages\": [ { \"elements\": [ { \"type\": \"text\", \"name\": \"q\" } ] } ] }",
            "[ { \"question\": \"q\", \"question\": \"r\" } ]"));
        Assert.Equal("bindings[0]", b.Path);
        Assert.Equal("question", b.Arguments[0]);
    }

    [Theory]
    [InlineData("[]", "$")]
    [InlineData("{ \"title\": \"x\" }", "pages")]
    [InlineData("{ \"pages\": {} }", "pages")]
    [InlineData("{ \"pages\": [ { \"elements\": [] } ] }", "pages")]
    public void Not_a_survey_object_names_the_path(string json, string path) =>
        Assert.Equal(path, Single(QuestionnaireValidator.Validate(json, "[]")).Path);

    [Fact]
    public void Duplicate_question_name_names_the_second_occurrence_and_the_first()
    {
        var e = Single(QuestionnaireValidator.Validate("""
            { "pages": [ { "elements": [ { "type": "text", "name": "a" } ] },
                         { "elements": [ { "type": "comment", "name": "b" }, { "type": "panel", "elements": [ { "type": "text", "name": "a" } ] } ] } ] }
            """, "[]"));
        Assert.Equal("pages[1].elements[1].elements[0].name", e.Path);
        Assert.Contains("pages[0].elements[0]", e.Arguments);
    }

    [Fact]
    public void Names_inside_a_dynamic_panel_template_are_their_own_scope_but_unique_within_it()
    {
        var e = Single(QuestionnaireValidator.Validate("""
            { "pages": [ { "elements": [ { "type": "text", "name": "factor" },
              { "type": "paneldynamic", "name": "list", "templateElements": [ { "type": "text", "name": "factor" }, { "type": "text", "name": "factor" } ] } ] } ] }
            """, "[]"));
        Assert.Equal("pages[0].elements[1].templateElements[1].name", e.Path);
    }

    [Fact]
    public void Unsupported_type_names_the_path()
    {
        var e = Single(QuestionnaireValidator.Validate("""
            { "pages": [ { "elements": [ { "type": "text", "name": "a" }, { "type": "text", "name": "b" }, { "type": "text", "name": "c" }, { "type": "signaturepad", "name": "sig" } ] } ] }
            """, "[]"));
        Assert.Equal("pages[0].elements[3].type", e.Path);
        Assert.Equal("signaturepad", e.Arguments[0]);
    }

    [Fact]
    public void Missing_name_names_the_path() =>
        Assert.Equal("pages[0].elements[0].name", Single(QuestionnaireValidator.Validate("""{ "pages": [ { "elements": [ { "type": "text" } ] } ] }""", "[]")).Path);

    [Fact]
    public void Matrix_without_rows_names_the_path() =>
        Assert.Equal("pages[0].elements[0].rows",
            Single(QuestionnaireValidator.Validate("""{ "pages": [ { "elements": [ { "type": "matrix", "name": "m", "columns": [1,2] } ] } ] }""", "[]")).Path);

    [Fact]
    public void Binding_to_a_missing_question_names_the_binding()
    {
        var e = Single(QuestionnaireValidator.Validate(Valid, """
            [ { "kind": "CONFIDENCE", "question": "DRUGS_confidence", "crimeArea": "DRUGS" },
              { "kind": "INDICATOR", "question": "THB_indicators", "row": "SCOPE", "crimeArea": "DRUGS", "indicator": "SCOPE" } ]
            """));
        Assert.Equal("bindings[1].question", e.Path);
        Assert.Equal("THB_indicators", e.Arguments[0]);
    }

    [Fact]
    public void Binding_to_a_missing_matrix_row_names_the_row() =>
        Assert.Equal("bindings[0].row", Single(QuestionnaireValidator.Validate(Valid,
            """[ { "kind": "INDICATOR", "question": "DRUGS_indicators", "row": "DAMAGE", "crimeArea": "DRUGS", "indicator": "DAMAGE" } ]""")).Path);

    [Fact]
    public void Binding_to_a_missing_pestle_field_names_the_field() =>
        // The likelihood read from the factor's free text is no 1–5 score either.
        Assert.Equal(["bindings[0].impact", "bindings[0].likelihood"], QuestionnaireValidator.Validate(Valid,
            """[ { "kind": "PESTLE_FACTOR", "question": "pestle_LEGAL", "dimension": "LEGAL", "factor": "factor", "impact": "impact", "likelihood": "factor" } ]""")
            .Errors.Select(e => e.Path));

    [Fact]
    public void Binding_with_unknown_indicator_or_crime_area_outside_the_round_is_refused()
    {
        var check = QuestionnaireValidator.Validate(Valid,
            """[ { "kind": "INDICATOR", "question": "DRUGS_indicators", "row": "SCOPE", "crimeArea": "CYBER", "indicator": "SIZE" } ]""", ["DRUGS"]);
        Assert.Equal(["bindings[0].crimeArea", "bindings[0].indicator"], check.Errors.Select(e => e.Path).ToArray());
    }

    [Fact]
    public void Two_bindings_reading_the_same_answer_are_refused() =>
        Assert.Equal("bindings[1]", Single(QuestionnaireValidator.Validate(Valid, """
            [ { "kind": "CONFIDENCE", "question": "DRUGS_confidence", "crimeArea": "DRUGS" },
              { "kind": "CONFIDENCE", "question": "DRUGS_confidence", "crimeArea": "DRUGS" } ]
            """)).Path);

    [Fact]
    public void Bindings_that_are_not_an_array_are_refused() =>
        Assert.Equal("bindings", Single(QuestionnaireValidator.Validate(Valid, "{}")).Path);

    private static QuestionnaireCheck Bound(string element, string binding) =>
        QuestionnaireValidator.Validate($$"""{ "pages": [ { "elements": [ {{element}} ] } ] }""", $"[ {binding} ]");

    private const string DamageBinding = """{ "kind": "INDICATOR", "question": "drugs_damage", "crimeArea": "DRUGS", "indicator": "DAMAGE" }""";

    [Theory]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateMin": 1, "rateMax": 10 }""", "1", "10")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateMin": 0, "rateMax": 4 }""", "0", "4")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateMin": 1, "rateCount": 10 }""", "1", "10")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateMax": 5, "rateCount": 10 }""", "-4", "5")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateMax": 10, "rateValues": [ 1, 2, 3, 4, 5 ], "autoGenerate": true }""", "1", "10")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateValues": [ 1, 2, 3 ] }""", "1", "3")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateValues": [ { "value": 10 }, { "value": 20 }, { "value": 50 } ] }""", "10", "50")]
    [InlineData("""{ "type": "dropdown", "name": "drugs_damage", "choicesMin": 1, "choicesMax": 7 }""", "1", "7")]
    [InlineData("""{ "type": "dropdown", "name": "drugs_damage", "choices": [ 0 ], "choicesMin": 1, "choicesMax": 5 }""", "0", "5")]
    [InlineData("""{ "type": "radiogroup", "name": "drugs_damage", "choices": [ "1", "2", "3", "4", "5", "6" ] }""", "1", "6")]
    [InlineData("""{ "type": "text", "name": "drugs_damage", "inputType": "number", "min": 0, "max": 100 }""", "0", "100")]
    [InlineData("""{ "type": "matrix", "name": "drugs_damage", "rows": [ "DAMAGE" ], "columns": [ 1, 2, 3, 4, 5, 6, 7 ] }""", "1", "7")]
    public void Indicator_binding_to_a_question_off_the_one_to_five_scale_is_refused_with_its_range(string element, string min, string max)
    {
        var binding = element.Contains("\"matrix\"", StringComparison.Ordinal) ? DamageBinding.Replace("\"crimeArea\"", "\"row\": \"DAMAGE\", \"crimeArea\"", StringComparison.Ordinal) : DamageBinding;
        var e = Single(Bound(element, binding));
        Assert.Equal("bindings[0].question", e.Path);
        Assert.Equal("This binding needs answers on the 1–5 scale; \"{0}\" offers values from {1} to {2}.", e.Message);
        Assert.Equal(["drugs_damage", min, max], e.Arguments);
    }

    [Theory]
    [InlineData("""{ "type": "radiogroup", "name": "drugs_damage", "choices": [ "LOW", "HIGH" ] }""")]
    [InlineData("""{ "type": "dropdown", "name": "drugs_damage", "choicesByUrl": { "url": "/scores" } }""")]
    [InlineData("""{ "type": "text", "name": "drugs_damage" }""")]
    public void Indicator_binding_to_a_question_without_fixed_numbers_from_one_to_five_is_refused(string element)
    {
        var e = Single(Bound(element, DamageBinding));
        Assert.Equal(("bindings[0].question", "This binding needs answers on the 1–5 scale; \"{0}\" does not offer numbers from 1 to 5."), (e.Path, e.Message));
    }

    [Theory]
    [InlineData("""{ "type": "rating", "name": "drugs_damage" }""")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateMin": 1, "rateMax": 5, "rateCount": 5 }""")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateCount": 10 }""")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateValues": [ 1, 2, 3 ], "autoGenerate": true }""")]
    [InlineData("""{ "type": "rating", "name": "drugs_damage", "rateValues": [ 1, 2, 3, 4, 5 ] }""")]
    [InlineData("""{ "type": "dropdown", "name": "drugs_damage", "choicesMin": 1, "choicesMax": 5 }""")]
    [InlineData("""{ "type": "dropdown", "name": "drugs_damage", "choices": [ "DONT_KNOW" ], "choicesMin": 1, "choicesMax": 5 }""")]
    [InlineData("""{ "type": "radiogroup", "name": "drugs_damage", "choices": [ { "value": 1 }, { "value": "2" }, 3, 4, 5 ], "showNoneItem": true }""")]
    [InlineData("""{ "type": "text", "name": "drugs_damage", "inputType": "number", "min": 1, "max": 5 }""")]
    [InlineData("""{ "type": "expression", "name": "drugs_damage", "expression": "({a} + {b}) / 2" }""")]
    public void Indicator_binding_to_a_question_on_the_one_to_five_scale_is_accepted(string element)
    {
        var check = Bound(element, DamageBinding);
        Assert.True(check.IsValid, string.Join("; ", check.Errors));
    }

    [Fact]
    public void Indicator_binding_to_a_matrix_column_off_the_scale_names_the_column()
    {
        const string matrix = """
            { "type": "matrixdropdown", "name": "grid", "rows": [ "DRUGS" ], "choices": [ 1, 2, 3, 4, 5 ],
              "columns": [ { "name": "ok" }, { "name": "ten", "cellType": "rating", "rateMax": 10 }, { "name": "wide", "choicesMin": 0, "choicesMax": 10 } ] }
            """;
        Assert.True(Bound(matrix, """{ "kind": "INDICATOR", "question": "grid", "row": "DRUGS", "column": "ok", "crimeArea": "DRUGS", "indicator": "SCOPE" }""").IsValid);
        var e = Single(Bound(matrix, """{ "kind": "INDICATOR", "question": "grid", "row": "DRUGS", "column": "ten", "crimeArea": "DRUGS", "indicator": "SCOPE" }"""));
        Assert.Equal(("bindings[0].column", "grid.ten"), (e.Path, e.Arguments[0]));
        Assert.Equal(["grid.wide", "0", "10"],
            Single(Bound(matrix, """{ "kind": "INDICATOR", "question": "grid", "row": "DRUGS", "column": "wide", "crimeArea": "DRUGS", "indicator": "SCOPE" }""")).Arguments);
    }

    [Fact]
    public void Pestle_impact_or_likelihood_off_the_scale_is_refused()
    {
        const string panel = """
            { "type": "paneldynamic", "name": "pestle_LEGAL", "templateElements": [
              { "type": "text", "name": "factor" }, { "type": "rating", "name": "impact", "rateMin": 0, "rateMax": 10 }, { "type": "rating", "name": "likelihood" } ] }
            """;
        var e = Single(Bound(panel, """{ "kind": "PESTLE_FACTOR", "question": "pestle_LEGAL", "dimension": "LEGAL", "factor": "factor", "impact": "impact", "likelihood": "likelihood" }"""));
        Assert.Equal(("bindings[0].impact", "pestle_LEGAL.impact"), (e.Path, e.Arguments[0]));
    }

    [Theory]
    [InlineData("""{ "type": "radiogroup", "name": "drugs_confidence", "choices": [ "HIGH", "MEDIUM", "LOW" ] }""", true)]
    [InlineData("""{ "type": "dropdown", "name": "drugs_confidence", "choices": [ { "value": "HIGH", "text": "Sure" }, { "value": "LOW", "text": "Unsure" } ] }""", true)]
    [InlineData("""{ "type": "radiogroup", "name": "drugs_confidence", "choices": [ "high", "medium", "low" ] }""", false)]
    [InlineData("""{ "type": "radiogroup", "name": "drugs_confidence", "choices": [ 1, 2, 3 ] }""", false)]
    [InlineData("""{ "type": "dropdown", "name": "drugs_confidence", "choicesFromQuestion": "other" }""", false)]
    public void Confidence_binding_needs_answers_high_medium_or_low(string element, bool accepted)
    {
        var check = Bound(element, """{ "kind": "CONFIDENCE", "question": "drugs_confidence", "crimeArea": "DRUGS" }""");
        if (accepted) Assert.True(check.IsValid, string.Join("; ", check.Errors));
        else Assert.Equal("bindings[0].question", Single(check).Path);
    }

    [Fact]
    public void Templates_still_validate_with_their_bindings()
    {
        foreach (var template in QuestionnaireTemplates.All)
        {
            var g = QuestionnaireTemplates.Generate(template, [new CrimeAreaName { Code = "DRUGS", NameEn = "Drugs", NameSrLatn = "Droge" }]);
            var check = QuestionnaireValidator.Validate(g.SchemaJson, g.BindingsJson, ["DRUGS"]);
            Assert.True(check.IsValid, template + ": " + string.Join("; ", check.Errors));
        }
    }

    [Fact]
    public void Two_bindings_of_questions_sharing_one_value_name_read_the_same_answer() =>
        Assert.Equal("bindings[1]", Single(QuestionnaireValidator.Validate("""
            { "pages": [ { "elements": [ { "type": "rating", "name": "a", "valueName": "shared" }, { "type": "rating", "name": "b", "valueName": "shared" } ] } ] }
            """, """
            [ { "kind": "INDICATOR", "question": "a", "crimeArea": "DRUGS", "indicator": "DAMAGE" },
              { "kind": "INDICATOR", "question": "b", "crimeArea": "DRUGS", "indicator": "SCOPE" } ]
            """)).Path);
}
