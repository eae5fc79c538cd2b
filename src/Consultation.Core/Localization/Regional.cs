namespace Consultation.Core.Localization;

/// <summary>
/// Defaults by country and language for the Western Balkans: the language an invitation is written in when
/// the inviter does not choose, and the time zone a new round, a workshop or a user without a zone gets.
/// </summary>
public static class Regional
{
    public const string Belgrade = "Europe/Belgrade";
    public const string Podgorica = "Europe/Podgorica";
    public const string Skopje = "Europe/Skopje";
    public const string Tirane = "Europe/Tirane";
    public const string Sarajevo = "Europe/Sarajevo";

    /// <summary>The portal's fallback zone (the methodology's home, and the zone rounds had before issue 7).</summary>
    public const string DefaultTimeZone = Belgrade;

    /// <summary>The portal language of an ISO 3166 alpha-2 country; null when the portal has none for it.</summary>
    public static string? LanguageOf(string? country) => country?.Trim().ToUpperInvariant() switch
    {
        "RS" or "ME" or "BA" => Languages.SerbianLatin,
        "MK" => Languages.Macedonian,
        "AL" or "XK" => Languages.Albanian,
        "GB" or "IE" or "US" => Languages.English,
        _ => null,
    };

    /// <summary>The zone of a country (Montenegro's own zone for ME organisations); null when unknown.</summary>
    public static string? TimeZoneOf(string? country) => country?.Trim().ToUpperInvariant() switch
    {
        "RS" => Belgrade,
        "ME" => Podgorica,
        "MK" => Skopje,
        "AL" => Tirane,
        "XK" => Belgrade,
        "BA" => Sarajevo,
        _ => null,
    };

    /// <summary>The zone of a portal language: Serbian → Belgrade, Macedonian → Skopje, Albanian → Tirane, otherwise the default.</summary>
    public static string TimeZoneOfLanguage(string? language) => language switch
    {
        Languages.Macedonian => Skopje,
        Languages.Albanian => Tirane,
        _ => DefaultTimeZone,
    };

    /// <summary>
    /// The zone to show a user's times in: their own choice, else their organisation's country, else their
    /// language's zone.
    /// </summary>
    public static string TimeZoneFor(string? userZone, string? country, string? language) =>
        userZone is { Length: > 0 } z ? z : TimeZoneOf(country) ?? TimeZoneOfLanguage(language);
}
