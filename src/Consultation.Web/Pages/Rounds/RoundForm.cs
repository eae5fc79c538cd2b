using Consultation.Web.Infrastructure.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Consultation.Core.Localization;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Rounds;

/// <summary>What Create and Edit share: the bound <see cref="RoundInput"/>, the choices, and the validation.</summary>
public abstract class RoundForm(RichText richText, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public const string DefaultTimeZone = "Europe/Belgrade";

    /// <summary>Time zones offered first: the region's, then a few European reference zones.</summary>
    public static readonly IReadOnlyList<string> SuggestedTimeZones =
    [
        "Europe/Belgrade", "Europe/Skopje", "Europe/Podgorica", "Europe/Sarajevo", "Europe/Tirane", "Europe/Zagreb",
        "Europe/Ljubljana", "Europe/Sofia", "Europe/Bucharest", "Europe/Athens", "Europe/Vienna", "Europe/Brussels",
        "Europe/London", "UTC",
    ];

    /// <summary>English display name of an indicator code (the localization key).</summary>
    public static string IndicatorName(string code) => code switch
    {
        Indicators.Resources => "Resources",
        Indicators.Scope => "Scope",
        Indicators.Flexibility => "Flexibility",
        Indicators.SocialTolerance => "Social tolerance",
        Indicators.Damage => "Damage",
        _ => code,
    };

    protected IStringLocalizer<SharedResource> L => localizer;

    [BindProperty] public RoundInput Input { get; set; } = new();

    /// <summary>
    /// When the round was last saved, as the page was first rendered (empty for a new round): form-copy.js keeps what is
    /// typed on the device under it until a save stores it, so a session that ended before the save loses nothing.
    /// </summary>
    [BindProperty] public string? CopyBase { get; set; }

    /// <summary>The id of that device copy, sent with the save; handed back (<see cref="SavedDeviceCopy"/>) once stored.</summary>
    [BindProperty] public string? DeviceCopy { get; set; }

    /// <summary>The device copy the last save stored: the layout names it after the redirect and site.js removes it. A Guid,
    /// not the string: TempData's serializer reads back any string that looks like a Guid as one.</summary>
    [TempData] public Guid? SavedDeviceCopy { get; set; }

    /// <summary>True when the fields show the stored round (or a new round's defaults); false when they show a refused post.</summary>
    public bool ShowsStoredValues { get; protected set; }

    /// <summary>After a successful save: the device copy (only a UUID, anything else is ignored) can go.</summary>
    protected void ForgetDeviceCopy() => SavedDeviceCopy = Guid.TryParse(DeviceCopy, out var id) ? id : null;

    /// <summary>
    /// An open round: its opening is a moment in the past that no longer changes, so the field is read-only and a save
    /// keeps the stored moment (shown in whatever time zone the round has) instead of re-reading the field's text.
    /// </summary>
    public bool OpeningFixed { get; protected set; }

    public IReadOnlyList<CrimeAreaChoice> CrimeAreaChoices { get; private set; } = [];
    public IReadOnlyList<OrganisationChoice> OrganisationChoices { get; private set; } = [];

    public IEnumerable<string> TimeZoneChoices =>
        SuggestedTimeZones.Contains(Input.TimeZone) || string.IsNullOrEmpty(Input.TimeZone) ? SuggestedTimeZones : [Input.TimeZone, .. SuggestedTimeZones];

    public sealed record CrimeAreaChoice
    {
        public string Code { get; init; } = "";
        public string NameEn { get; init; } = "";
        public string NameSrLatn { get; init; } = "";
        public string NameMk { get; init; } = "";
        public string NameSq { get; init; } = "";
        public bool Active { get; init; }
        public string Name => Languages.Pick(CultureInfo.CurrentUICulture, NameEn, NameSrLatn, NameMk, NameSq, Code);
    }

    public sealed record OrganisationChoice
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Category { get; init; } = "";
    }

    protected async Task LoadChoicesAsync(DbConnection conn, CancellationToken ct)
    {
        CrimeAreaChoices = (await conn.QueryAsync<CrimeAreaChoice>(new CommandDefinition(
            "SELECT code, name_en, name_sr_latn, name_mk, name_sq, active = 1 AS active FROM crime_areas ORDER BY sort_order, code", cancellationToken: ct))).ToList();
        OrganisationChoices = (await conn.QueryAsync<OrganisationChoice>(new CommandDefinition(
            "SELECT id, name, category FROM organisations ORDER BY name", cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// A condition: the organisation whose id is <paramref name="organisationId"/> has a response (draft, submitted or
    /// withdrawn, typed or imported) to a questionnaire of round <c>@id</c>.
    /// </summary>
    protected static string AnsweredInRound(string organisationId) => $"""
        EXISTS (SELECT 1 FROM responses rs JOIN questionnaire_versions rv ON rv.id = rs.questionnaire_version_id
                  JOIN questionnaires rq ON rq.id = rv.questionnaire_id
                 WHERE rq.round_id = @id AND rs.organisation_id = {organisationId})
        """;

    /// <summary>
    /// Replaces the round's crime areas; keeps the invitation time of organisations still invited. An organisation
    /// that has answered is never removed (the edit page refuses that first; this holds against a response written meanwhile).
    /// </summary>
    protected static async Task SaveScopeAsync(DbConnection conn, DbTransaction tx, long id, ParsedRound round, long userId, DateTimeOffset now, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM round_crime_areas WHERE round_id = @id", new { id }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO round_crime_areas (round_id, crime_area_code) VALUES (@id, @Code)",
            round.CrimeAreas.Select(code => new { id, Code = code }), tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM round_organisations WHERE round_id = @id AND organisation_id {SqlList.NotIn(conn, "@Orgs")} AND NOT {AnsweredInRound("round_organisations.organisation_id")}",
            new { id, Orgs = round.Organisations.ToArray() }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO round_organisations (round_id, organisation_id, invited_at, invited_by)
            VALUES (@id, @Org, @now, @userId)
            ON CONFLICT (round_id, organisation_id) DO NOTHING
            """, round.Organisations.Select(org => new { id, Org = org, now, userId = userId == 0 ? (long?)null : userId }), tx, cancellationToken: ct));
    }

    /// <summary>
    /// Checks what attributes cannot (times, weights, grading, choices); adds field errors; null when invalid. Typed times are
    /// read in the chosen time zone; with <paramref name="fixedOpensAt"/> (an open round) the opening is that moment instead.
    /// </summary>
    protected ParsedRound? Parse(DateTimeOffset? fixedOpensAt = null)
    {
        var i = Input;
        TimeZoneInfo? tz = null;
        // IANA names only, as the API takes: on Linux a Windows id ("Central European Standard Time") is found too.
        if (!string.IsNullOrEmpty(i.TimeZone) && (!TimeZoneInfo.TryFindSystemTimeZoneById(i.TimeZone, out tz) || !tz.HasIanaId))
        {
            tz = null;
            ModelState.AddModelError("Input.TimeZone", L["Unknown time zone."]);
        }
        var opens = fixedOpensAt ?? ToUtc(i.OpensAt, tz, "Input.OpensAt");
        var closes = ToUtc(i.ClosesAt, tz, "Input.ClosesAt");
        // An open round's closing time is checked against the clock by the edit page, with the message that fits.
        if (fixedOpensAt is null && opens is { } o && closes is { } c && c <= o)
            ModelState.AddModelError("Input.ClosesAt", L["The closing time must be after the opening time."]);

        var areas = i.CrimeAreas.Distinct(StringComparer.Ordinal).ToList();
        if (areas.Count == 0) ModelState.AddModelError("Input.CrimeAreas", L["Choose at least one crime area."]);
        else if (areas.Any(a => !CrimeAreaChoices.Any(x => x.Code == a)))
            ModelState.AddModelError("Input.CrimeAreas", L["Choose crime areas from the list."]);
        var orgs = i.Organisations.Distinct().ToList();
        if (orgs.Any(id => !OrganisationChoices.Any(x => x.Id == id)))
            ModelState.AddModelError("Input.Organisations", L["Choose organisations from the list."]);

        var categoryWeights = Weights(i.CategoryWeights, OrganisationCategory.All, "Input.CategoryWeights");
        var indicatorWeights = Weights(i.IndicatorWeights, Indicators.All, "Input.IndicatorWeights");
        if (indicatorWeights is not null && indicatorWeights.Values.Sum() <= 0)
            ModelState.AddModelError("Input.IndicatorWeights", L["At least one indicator weight must be above zero."]);

        var grading = (i.DefaultGrading ?? "").Trim();
        if (grading.Length > 0 && !Grading.TryParse(grading, out _))
            ModelState.AddModelError("Input.DefaultGrading", L["Use a Europol 4x4 grading: A, B, C or X followed by 1–4, e.g. B2."]);

        if (!ModelState.IsValid) return null;
        return new ParsedRound
        {
            Title = i.Title.Trim(),
            DescriptionHtml = richText.Sanitize(i.DescriptionHtml),
            OpensAt = opens!.Value,
            ClosesAt = closes!.Value,
            TimeZone = i.TimeZone,
            CrimeAreas = areas,
            Organisations = orgs,
            CategoryWeightsJson = JsonSerializer.Serialize(categoryWeights),
            IndicatorWeightsJson = JsonSerializer.Serialize(indicatorWeights),
            DefaultGrading = Grading.Parse(grading).ToString(),
            MinOrganisations = i.MinOrganisations,
            ReminderDaysBeforeClose = i.ReminderDaysBeforeClose,
        };
    }

    private DateTimeOffset? ToUtc(string? text, TimeZoneInfo? tz, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            ModelState.AddModelError(field, localizer["Enter the date and time as YYYY-MM-DD HH:MM."]);
            return null;
        }
        if (tz is null) return null;
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (tz.IsInvalidTime(local))
        {
            ModelState.AddModelError(field, localizer["This time does not exist in the chosen time zone (the clocks change then)."]);
            return null;
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, tz), TimeSpan.Zero);
    }

    private Dictionary<string, double>? Weights(Dictionary<string, string> input, IReadOnlyList<string> keys, string field)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        var ok = true;
        foreach (var key in keys)
        {
            var text = (input.GetValueOrDefault(key) ?? "").Trim().Replace(',', '.');
            if (text.Length == 0) text = "1";
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) || double.IsNaN(w) || w < 0 || w > 10)
            {
                ModelState.AddModelError($"{field}[{key}]", localizer["Enter a weight between 0 and 10, e.g. 1.5."]);
                ok = false;
                continue;
            }
            result[key] = w;
        }
        return ok ? result : null;
    }
}
