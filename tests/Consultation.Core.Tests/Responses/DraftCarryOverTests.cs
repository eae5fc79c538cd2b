using System.Text.Json;
using Consultation.Core.Responses;

namespace Consultation.Core.Tests.Responses;

public sealed class DraftCarryOverTests
{
    private static readonly AnswerValidator.CompiledSchema Target = AnswerValidator.Compile("""
        { "pages": [ { "name": "p", "elements": [
            { "type": "radiogroup", "name": "trend", "choices": ["UP"], "showOtherItem": true },
            { "type": "comment", "name": "note" },
            { "type": "panel", "name": "box", "elements": [ { "type": "text", "name": "inside" } ] } ] } ] }
        """);

    private static bool Same(string a, string b) => JsonElement.DeepEquals(JsonDocument.Parse(a).RootElement, JsonDocument.Parse(b).RootElement);

    [Fact]
    public void Answers_are_carried_by_question_name_and_the_others_kept_apart()
    {
        var r = DraftCarryOver.Split(Target, """{ "trend": "other", "trend-Comment": "x", "note": "n", "inside": "i", "gone": [1, 2], "note-Comment": "no area" }""");

        Assert.True(Same("""{ "trend": "other", "trend-Comment": "x", "note": "n", "inside": "i" }""", r.CarriedJson), r.CarriedJson);
        Assert.True(Same("""{ "gone": [1, 2], "note-Comment": "no area" }""", r.OrphanedJson), r.OrphanedJson);
        Assert.True(r.HasOrphans);
        Assert.DoesNotContain(AnswerValidator.Validate(Target, r.CarriedJson), e => e.Message.StartsWith("The questionnaire has no question", StringComparison.Ordinal));
    }

    [Fact]
    public void Orphaned_answers_are_described_by_the_title_they_were_typed_under_text_as_typed()
    {
        var typedFor = AnswerValidator.Compile("""
            { "elements": [ { "type": "comment", "name": "gone", "title": { "default": "Old remark", "sr": "Stara napomena" } },
                            { "type": "checkbox", "name": "picks", "choices": ["A", "B"] } ] }
            """);

        var list = DraftCarryOver.Describe(typedFor, """{ "gone": "line 1\nline 2", "picks": ["A", "B"], "unknown": 3 }""", "sr");

        Assert.Equal([("Stara napomena", "line 1\nline 2"), ("picks", """["A","B"]"""), ("unknown", "3")], list);
        Assert.Equal("Old remark", DraftCarryOver.Describe(typedFor, """{ "gone": "x" }""")[0].Question);
        Assert.False(DraftCarryOver.Split(Target, """{ "note": "n" }""").HasOrphans);
    }
}
