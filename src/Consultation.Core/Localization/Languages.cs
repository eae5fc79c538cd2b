using System.Globalization;

namespace Consultation.Core.Localization;

/// <summary>
/// The portal's five languages and how a name stored per language is picked for a culture. Serbian Cyrillic
/// is never stored: it is generated from the Serbian Latin text (<see cref="SerbianScript"/>), as for the UI.
/// </summary>
public static class Languages
{
    public const string English = "en";
    public const string SerbianLatin = "sr-Latn";
    public const string SerbianCyrillic = "sr-Cyrl";
    public const string Macedonian = "mk";
    public const string Albanian = "sq";

    public static IReadOnlyList<string> All { get; } = [English, SerbianLatin, SerbianCyrillic, Macedonian, Albanian];

    public static bool IsKnown(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);

    /// <summary>The portal language of a culture: <c>sr</c> and <c>sr-Latn-RS</c> are Serbian Latin, <c>sr-Cyrl-RS</c> Cyrillic, anything unknown English.</summary>
    public static string Of(CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(culture);
        for (var c = culture; !string.IsNullOrEmpty(c.Name); c = c.Parent)
        {
            if (c.Name == SerbianCyrillic) return SerbianCyrillic;
            if (c.Name is SerbianLatin or "sr") return SerbianLatin;
            if (c.Name == Macedonian) return Macedonian;
            if (c.Name == Albanian) return Albanian;
        }
        return English;
    }

    /// <summary>
    /// The name to show in <paramref name="culture"/>; English when the language's name is not stored (an area
    /// an administrator added with English and Serbian only), then the code.
    /// </summary>
    public static string Pick(CultureInfo culture, string? en, string? srLatn, string? mk, string? sq, string fallback = "")
    {
        var text = Of(culture) switch
        {
            SerbianLatin => srLatn,
            SerbianCyrillic => string.IsNullOrEmpty(srLatn) ? null : SerbianScript.ToCyrillic(srLatn),
            Macedonian => mk,
            Albanian => sq,
            _ => en,
        };
        return !string.IsNullOrEmpty(text) ? text : !string.IsNullOrEmpty(en) ? en : fallback;
    }

    /// <summary>
    /// SurveyJS locale code of a portal language (the key of a localized text in a questionnaire definition).
    /// survey-core ships <c>sr</c> (Latin script) and <c>mk</c>; Serbian Cyrillic and Albanian use the portal's
    /// own codes. English is SurveyJS's <c>default</c> text.
    /// </summary>
    public static string SurveyLocale(string language) => language switch
    {
        SerbianLatin => "sr",
        SerbianCyrillic => "sr-Cyrl",
        Macedonian => "mk",
        Albanian => "sq",
        _ => "default",
    };

    /// <summary>The SurveyJS locale keys every template text carries, English (<c>default</c>) first.</summary>
    public static IReadOnlyList<string> SurveyLocales { get; } = [.. All.Select(SurveyLocale)];
}
