using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Web.Infrastructure.Security;

namespace Consultation.Web.Infrastructure.Localization;

/// <summary>
/// The one way pages show instants and numbers (injected into every view as <c>Show</c>): the request's
/// culture picks the patterns (<see cref="Formats"/>), the zone is the round's when the page is about a round,
/// else the signed-in user's. CSV, JSON and the API do not use this: they stay invariant.
/// </summary>
public sealed class DisplayFormat(CurrentUser me)
{
    /// <summary>The zone times are shown in when the page names none.</summary>
    public string TimeZone => me.TimeZone;

    public string At(DateTimeOffset instant, string? timeZone = null) =>
        Formats.DateTime(instant, timeZone ?? TimeZone, CultureInfo.CurrentCulture);

    public string At(DateTimeOffset? instant, string? timeZone = null, string none = "—") =>
        instant is { } t ? At(t, timeZone) : none;

    /// <summary>With the zone named, e.g. <c>23.11.2026. 14:30 (Europe/Belgrade)</c>.</summary>
    public string AtInZone(DateTimeOffset instant, string? timeZone = null) => $"{At(instant, timeZone)} ({timeZone ?? TimeZone})";

    /// <summary>In UTC, for texts that say "UTC" themselves.</summary>
    public static string Utc(DateTimeOffset instant) => Formats.DateTime(instant, "UTC", CultureInfo.CurrentCulture);

    public static string Date(DateOnly date) => Formats.Date(date, CultureInfo.CurrentCulture);

    /// <summary>A calendar date stored as <c>yyyy-MM-dd</c> text (a workshop's day); anything else is shown as stored.</summary>
    public static string Date(string isoDate) =>
        DateOnly.TryParseExact(isoDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? Date(date) : isoDate;

    public static string Number(double value, string format = "0.####") => Formats.Number(value, format, CultureInfo.CurrentCulture);
}
