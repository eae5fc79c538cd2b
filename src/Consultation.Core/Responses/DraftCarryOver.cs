using System.Text.Json;

namespace Consultation.Core.Responses;

/// <summary>
/// A draft's answers carried to another version of its questionnaire, by question name: an answer whose question the
/// new version still has (or the "Other"/comment text of such a question with a comment area) is carried as it is; the
/// others are orphaned — kept apart, never dropped, so the respondent can copy them (nothing typed may be lost). A
/// carried value the new version no longer accepts (a removed choice) stays: the form shows it and submission names it.
/// Pure: System.Text.Json only.
/// </summary>
public static class DraftCarryOver
{
    /// <summary>The answers for the new version and the orphaned ones, each a compact JSON object.</summary>
    public sealed record Result(string CarriedJson, string OrphanedJson)
    {
        public bool HasOrphans => OrphanedJson != "{}";
    }

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Splits <paramref name="dataJson"/> (a draft's answers) by the questions of <paramref name="target"/>.</summary>
    public static Result Split(AnswerValidator.CompiledSchema target, string dataJson)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(dataJson) ? "{}" : dataJson);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) return new Result("{}", "{}");
        var carried = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var orphaned = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
            (Keeps(target, p.Name) ? carried : orphaned)[p.Name] = p.Value;
        return new Result(JsonSerializer.Serialize(carried, Compact), JsonSerializer.Serialize(orphaned, Compact));
    }

    private static bool Keeps(AnswerValidator.CompiledSchema target, string name)
    {
        if (target.Questions.ContainsKey(name)) return true;
        const string comment = "-Comment";
        return name.EndsWith(comment, StringComparison.Ordinal)
            && target.Questions.TryGetValue(name[..^comment.Length], out var owner) && AnswerValidator.HasCommentArea(owner.Definition);
    }

    /// <summary>
    /// The orphaned answers of <paramref name="orphanedJson"/> as (question title in the version they were typed for, or
    /// its name; the answer as text) — what the form shows to copy. A text answer is shown as typed, others as JSON.
    /// </summary>
    public static IReadOnlyList<(string Question, string Answer)> Describe(AnswerValidator.CompiledSchema? typedFor, string orphanedJson, string? locale = null)
    {
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(orphanedJson) ? "{}" : orphanedJson);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) return [];
        var list = new List<(string, string)>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var answer = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : JsonSerializer.Serialize(p.Value, Compact);
            list.Add((TitleOf(typedFor, p.Name, locale), answer));
        }
        return list;
    }

    private static string TitleOf(AnswerValidator.CompiledSchema? schema, string name, string? locale)
    {
        if (schema is null || !schema.Questions.TryGetValue(name, out var q) || !q.Definition.TryGetProperty("title", out var title)) return name;
        if (title.ValueKind == JsonValueKind.String) return title.GetString() is { Length: > 0 } t ? t : name;
        if (title.ValueKind != JsonValueKind.Object) return name;
        foreach (var key in new[] { locale ?? "", "default", "en" })
            if (key.Length > 0 && title.TryGetProperty(key, out var text) && text.ValueKind == JsonValueKind.String && text.GetString() is { Length: > 0 } s)
                return s;
        return name;
    }
}
