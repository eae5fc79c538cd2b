using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;

namespace Consultation.Core.Tests.Responses;

public sealed class AnswerSheetTests
{
    private static readonly string FiveIndicator = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator,
        [new CrimeAreaName { Code = "THB", NameEn = "Trafficking in human beings", NameSrLatn = "Trgovina ljudima" }]).SchemaJson;

    [Fact]
    public void Matrix_answers_show_row_texts_and_choice_texts_in_the_chosen_language()
    {
        var data = """{"THB_indicators":{"SCOPE":4,"DAMAGE":5},"THB_confidence":"MEDIUM","THB_comment":"Seasonal peaks"}""";

        var en = AnswerSheet.Render(FiveIndicator, data);
        var matrix = Assert.Single(en, i => i.Name == "THB_indicators");
        Assert.Equal("Trafficking in human beings: rate the five indicators", matrix.Title);
        Assert.Equal(2, matrix.Lines.Count);
        Assert.StartsWith("How widespread is it", matrix.Lines[0].Label, StringComparison.Ordinal);
        Assert.Equal("4", matrix.Lines[0].Value);
        Assert.Equal("Medium", Assert.Single(en, i => i.Name == "THB_confidence").Lines.Single().Value);
        Assert.Equal("Seasonal peaks", Assert.Single(en, i => i.Name == "THB_comment").Lines.Single().Value);

        var sr = AnswerSheet.Render(FiveIndicator, data, "sr");
        Assert.Equal("Srednje", Assert.Single(sr, i => i.Name == "THB_confidence").Lines.Single().Value);
    }

    [Fact]
    public void Unanswered_questions_are_listed_without_lines_and_unknown_answers_are_kept_raw()
    {
        var items = AnswerSheet.Render(FiveIndicator, """{"THB_confidence":"HIGH","smuggled_in":{"x":1}}""");

        Assert.False(Assert.Single(items, i => i.Name == "THB_indicators").Answered);
        var extra = Assert.Single(items, i => i.Name == "smuggled_in");
        Assert.Equal("""{"x":1}""", extra.Lines.Single().Value);
    }

    [Fact]
    public void Dynamic_panels_checkboxes_booleans_and_other_text_are_readable()
    {
        var schema = """
            {"pages":[{"name":"p","elements":[
              {"type":"paneldynamic","name":"factors","title":"Factors","templateElements":[
                {"type":"text","name":"factor","title":"Factor"},{"type":"rating","name":"impact","title":"Impact"}]},
              {"type":"checkbox","name":"groups","title":"Groups","choices":[{"value":"a","text":"Children"},"b"],"showOtherItem":true},
              {"type":"boolean","name":"new","title":"New?"}]}]}
            """;
        var data = """{"factors":[{"factor":"Visa liberalisation","impact":4}],"groups":["a","b","other"],"groups-Comment":"Seasonal workers","new":false}""";

        var items = AnswerSheet.Render(schema, data);

        Assert.Equal([("1 — Factor", "Visa liberalisation"), ("1 — Impact", "4")],
            items.Single(i => i.Name == "factors").Lines.Select(l => (l.Label, l.Value)));
        Assert.Equal("Children, b, Other: Seasonal workers", items.Single(i => i.Name == "groups").Lines.Single().Value);
        var no = items.Single(i => i.Name == "new").Lines.Single();
        Assert.Equal("No", no.Value);
        Assert.True(no.IsKeyword);
        Assert.DoesNotContain(items, i => i.Name == "groups-Comment");
    }

    [Fact]
    public void Changed_answers_name_added_removed_and_changed_questions_with_comments_under_their_question()
    {
        var changed = AnswerSheet.ChangedAnswers(
            """{"a":1,"b":{"x":1,"y":2},"c":"same","d":"gone","e-Comment":"old"}""",
            """{"a":2,"b":{"y":2,"x":1},"c":"same","f":"new","e-Comment":"new"}""");

        Assert.Equal(["a", "d", "e", "f"], changed);
    }
}
