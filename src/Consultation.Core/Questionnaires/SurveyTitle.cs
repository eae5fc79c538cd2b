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
            return For(storedTitle, Titles(doc.RootElement), culture);
        }
        catch (JsonException)
        {
            return storedTitle;
        }
    }

    /// <summary>The same, from the definition's localized titles (<see cref="Titles"/>, read once).</summary>
    public static string For(string storedTitle, IReadOnlyDictionary<string, string> titles, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(storedTitle);
        ArgumentNullException.ThrowIfNull(titles);
        if (titles.Count == 0 || !titles.Values.Contains(storedTitle.Trim(), StringComparer.Ordinal)) return storedTitle;
        return titles.TryGetValue(Languages.SurveyLocale(Languages.Of(culture)), out var mine) && mine.Length > 0 ? mine : storedTitle;
    }

    /// <summary>A definition's localized titles by SurveyJS locale; empty when its title is one string (or none).</summary>
    public static IReadOnlyDictionary<string, string> Titles(JsonElement definition) =>
        definition.ValueKind == JsonValueKind.Object && definition.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.Object
            ? title.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!.Trim(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
