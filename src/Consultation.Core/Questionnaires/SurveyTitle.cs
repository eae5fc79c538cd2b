using System.Globalization;
using System.Text.Json;
using Consultation.Core.Localization;

namespace Consultation.Core.Questionnaires;

/// <summary>
/// The title a reader sees of a questionnaire: its stored title (one language: the one it was created or renamed
/// in), or — when that is still one of the definition's own localized titles (a template's, not renamed) — the
/// definition's title in the reader's language.
/// </summary>
public static class SurveyTitle
{
    public static string For(string storedTitle, string? schemaJson, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(storedTitle);
        if (string.IsNullOrWhiteSpace(schemaJson)) return storedTitle;
        try
        {
            using var doc = JsonDocument.Parse(schemaJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.Object) return storedTitle;
            var texts = title.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!.Trim(), StringComparer.Ordinal);
            if (!texts.ContainsValue(storedTitle.Trim())) return storedTitle;
            return texts.TryGetValue(Languages.SurveyLocale(Languages.Of(culture)), out var mine) && mine.Length > 0 ? mine : storedTitle;
        }
        catch (JsonException)
        {
            return storedTitle;
        }
    }
}
