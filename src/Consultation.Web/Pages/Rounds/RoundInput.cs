using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;

namespace Consultation.Web.Pages.Rounds;

/// <summary>
/// The fields of a round, shared by Create and Edit. Dates, weights and the grading are bound as text so
/// what the user typed survives a failed validation and numbers do not depend on the UI culture's separator.
/// </summary>
public sealed class RoundInput
{
    [Required(ErrorMessage = "Enter a title."), StringLength(200, ErrorMessage = "The title can be at most 200 characters.")]
    [Infrastructure.SingleLine(ErrorMessage = "The title must be a single line without control characters.")]
    public string Title { get; set; } = "";

    [StringLength(20000, ErrorMessage = "The description can be at most 20,000 characters.")]
    [Infrastructure.SingleLine(AllowLineBreaks = true, ErrorMessage = "The description may hold line breaks and tabs but no other control characters.")]
    public string? DescriptionHtml { get; set; }

    [Required(ErrorMessage = "Enter the opening date and time.")]
    public string OpensAt { get; set; } = "";

    [Required(ErrorMessage = "Enter the closing date and time.")]
    public string ClosesAt { get; set; } = "";

    [Required(ErrorMessage = "Choose a time zone.")]
    public string TimeZone { get; set; } = RoundForm.DefaultTimeZone;

    public List<string> CrimeAreas { get; set; } = [];

    public List<long> Organisations { get; set; } = [];

    public Dictionary<string, string> CategoryWeights { get; set; } =
        OrganisationCategory.All.ToDictionary(c => c, _ => "1", StringComparer.Ordinal);

    public Dictionary<string, string> IndicatorWeights { get; set; } =
        Indicators.All.ToDictionary(c => c, _ => "1", StringComparer.Ordinal);

    [Required(ErrorMessage = "Enter the default grading, e.g. B2.")]
    public string DefaultGrading { get; set; } = Grading.Default.ToString();

    [Range(1, 100, ErrorMessage = "The minimum group size must be between 1 and 100.")]
    public int MinOrganisations { get; set; } = 3;

    [Range(1, 60, ErrorMessage = "Reminders can go out between 1 and 60 days before closing.")]
    public int? ReminderDaysBeforeClose { get; set; }

    public const string LocalFormat = "yyyy-MM-dd'T'HH:mm";

    public static string ToLocalText(DateTimeOffset utc, string timeZone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var tz)
            ? TimeZoneInfo.ConvertTime(utc, tz).ToString(LocalFormat, CultureInfo.InvariantCulture)
            : utc.UtcDateTime.ToString(LocalFormat, CultureInfo.InvariantCulture);

    public static Dictionary<string, string> WeightsToText(string json, IReadOnlyList<string> keys)
    {
        var stored = JsonSerializer.Deserialize<Dictionary<string, double>>(string.IsNullOrWhiteSpace(json) ? "{}" : json) ?? [];
        return keys.ToDictionary(k => k, k => (stored.TryGetValue(k, out var w) ? w : 1.0).ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }
}

/// <summary>A validated round, ready to store: times in UTC, HTML sanitized, weights as JSON.</summary>
public sealed record ParsedRound
{
    public string Title { get; init; } = "";
    public string DescriptionHtml { get; init; } = "";
    public DateTimeOffset OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public string TimeZone { get; init; } = "";
    public IReadOnlyList<string> CrimeAreas { get; init; } = [];
    public IReadOnlyList<long> Organisations { get; init; } = [];
    public string CategoryWeightsJson { get; init; } = "{}";
    public string IndicatorWeightsJson { get; init; } = "{}";
    public string DefaultGrading { get; init; } = "B2";
    public int MinOrganisations { get; init; }
    public int? ReminderDaysBeforeClose { get; init; }
}
