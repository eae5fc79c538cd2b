using System.Globalization;

namespace Consultation.Core.Localization;

/// <summary>
/// How the portal shows an instant or a number to a person: in a time zone, with the patterns of their
/// language (sr-Latn <c>23.11.2026. 14:30</c>, mk and sq <c>23.11.2026 14:30</c>, English ISO
/// <c>2026-11-23 14:30</c> for an international readership). Patterns are fixed here rather than taken from
/// the platform's ICU data, so a page reads the same on every server. Exports (CSV, JSON, API) never use this:
/// they stay invariant.
/// </summary>
public static class Formats
{
    private static (string Date, string Time) Patterns(string language) => language switch
    {
        Languages.SerbianLatin or Languages.SerbianCyrillic => ("dd.MM.yyyy.", "HH:mm"),
        Languages.Macedonian or Languages.Albanian => ("dd.MM.yyyy", "HH:mm"),
        _ => ("yyyy-MM-dd", "HH:mm"),
    };

    /// <summary>The instant as wall-clock time in <paramref name="timeZone"/> (UTC when the zone is unknown).</summary>
    public static DateTime InZone(DateTimeOffset instant, string? timeZone) =>
        timeZone is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var tz)
            ? TimeZoneInfo.ConvertTime(instant, tz).DateTime
            : instant.UtcDateTime;

    /// <summary>Date and time, e.g. <c>23.11.2026. 14:30</c> in Serbian.</summary>
    public static string DateTime(DateTimeOffset instant, string? timeZone, CultureInfo culture)
    {
        var (date, time) = Patterns(Languages.Of(culture));
        return InZone(instant, timeZone).ToString($"{date} {time}", CultureInfo.InvariantCulture);
    }

    /// <summary>Date only, e.g. <c>23.11.2026.</c> in Serbian.</summary>
    public static string Date(DateTimeOffset instant, string? timeZone, CultureInfo culture) =>
        InZone(instant, timeZone).ToString(Patterns(Languages.Of(culture)).Date, CultureInfo.InvariantCulture);

    /// <summary>A calendar date (a workshop's day), e.g. <c>23.11.2026.</c> in Serbian.</summary>
    public static string Date(DateOnly date, CultureInfo culture) =>
        date.ToString(Patterns(Languages.Of(culture)).Date, CultureInfo.InvariantCulture);

    /// <summary>Decimal comma for the languages of the region, point for English.</summary>
    public static NumberFormatInfo Numbers(CultureInfo culture) =>
        Languages.Of(culture) == Languages.English ? EnglishNumbers : RegionalNumbers;

    public static string Number(double value, string format, CultureInfo culture) => value.ToString(format, Numbers(culture));

    private static readonly NumberFormatInfo EnglishNumbers = NumberFormatInfo.InvariantInfo;

    private static readonly NumberFormatInfo RegionalNumbers = NumberFormatInfo.ReadOnly(new NumberFormatInfo
    {
        NumberDecimalSeparator = ",", NumberGroupSeparator = ".", PercentDecimalSeparator = ",", PercentGroupSeparator = ".",
        NegativeSign = "-",
    });
}
