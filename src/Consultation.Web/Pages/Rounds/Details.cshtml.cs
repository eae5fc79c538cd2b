using System.Data.Common;
using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Core.Rounds;
using Consultation.Web.Infrastructure;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Rounds;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Rounds;

/// <summary>A round at a glance, with its status transitions (each guarded and audited) and its questionnaires.</summary>
public sealed class DetailsModel(Db db, CurrentUser me, AuditLog audit, RichText richText, TimeProvider clock, RoundMailer mailer, PublicLinks links, IStringLocalizer<SharedResource> L) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public string? ErrorMessage { get; private set; }
    /// <summary>A send refused because the page was loaded before the latest send of its kind (see <see cref="MailAsync"/>).</summary>
    public string? WarningMessage { get; private set; }
    public RoundRow Round { get; private set; } = new();
    public string DescriptionHtml { get; private set; } = "";
    public IReadOnlyList<AreaRow> CrimeAreas { get; private set; } = [];
    public IReadOnlyList<OrganisationRow> Organisations { get; private set; } = [];
    public IReadOnlyList<QuestionnaireRow> Questionnaires { get; private set; } = [];
    public RoundStatus Status => RoundStatuses.Parse(Round.Status);
    public IReadOnlyList<RoundProgressSql.Progress> Progress { get; private set; } = [];
    public IReadOnlyDictionary<long, MailRow> Mail { get; private set; } = new Dictionary<long, MailRow>();
    /// <summary>Makes a repeated post of the same form (double click, resend after a timeout) send nothing twice.</summary>
    public string MailKey { get; } = Guid.NewGuid().ToString("N");
    /// <summary>When invitations of this round last went out; null: never. Shown, and carried by the form (see <see cref="Stamp"/>).</summary>
    public DateTimeOffset? LastInvitationsSent { get; private set; }
    /// <summary>When reminders of this round last went out, manual or automatic; null: never.</summary>
    public DateTimeOffset? LastRemindersSent { get; private set; }
    public bool CanMail => Status == RoundStatus.Open && ResponseRulesOpen;
    /// <summary>A draft whose planned opening time is still ahead: opening it now moves that time to now (the page says so beside the button).</summary>
    public bool OpensEarly => Status == RoundStatus.Draft && Round.OpensAt > clock.GetUtcNow();
    /// <summary>An open round whose planned closing time is still ahead: closing it now moves that time to now (the page says so beside the button).</summary>
    public bool ClosesEarly => Status == RoundStatus.Open && Round.ClosesAt > clock.GetUtcNow();

    private bool ResponseRulesOpen => Consultation.Core.Responses.ResponseRules.IsOpenFor(Status, Round.ClosesAt, clock.GetUtcNow());

    /// <summary>A time shown in the round's time zone, as coordinators plan in it.</summary>
    public string Local(DateTimeOffset? utc) => utc is { } t ? Formats.DateTime(t, Round.TimeZone, CultureInfo.CurrentCulture) : "";

    /// <summary>The latest send of a kind as the page carries it in its form, to tell later whether it was still the latest.</summary>
    public static string Stamp(DateTimeOffset? sent) => sent is { } t ? DapperSetup.Format(t) : "";

    private static DateTimeOffset? FromStamp(string? stamp) =>
        DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    private sealed record LastSentRow
    {
        public DateTimeOffset? Invitations { get; init; }
        public DateTimeOffset? Reminders { get; init; }
    }

    /// <summary>
    /// When each kind of mail last went out: the claim time of its latest send that was not a complete failure (a send
    /// in progress counts). <paramref name="exceptKey"/> leaves out one send — the posted form's own.
    /// </summary>
    private static Task<LastSentRow> LastSentAsync(DbConnection conn, long id, string exceptKey, CancellationToken ct) =>
        conn.QuerySingleAsync<LastSentRow>(new CommandDefinition("""
            SELECT MAX(CASE WHEN schedule_key LIKE 'invitation:%' THEN sent_at END) AS invitations,
                   MAX(CASE WHEN schedule_key NOT LIKE 'invitation:%' THEN sent_at END) AS reminders
              FROM reminders_sent
             WHERE round_id = @id AND schedule_key <> @exceptKey AND (delivered_at IS NOT NULL OR last_error IS NULL)
            """, new { id, exceptKey }, cancellationToken: ct));

    public sealed record MailRow
    {
        public long OrganisationId { get; init; }
        public DateTimeOffset? LastInvitation { get; init; }
        public DateTimeOffset? LastReminder { get; init; }
        public string? LastError { get; init; }
    }

    public sealed record RoundRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string DescriptionHtml { get; init; } = "";
        public string Status { get; init; } = "Draft";
        public DateTimeOffset OpensAt { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public string TimeZone { get; init; } = "";
        public long MinOrganisations { get; init; }
        public string DefaultGrading { get; init; } = "";
        public long? ReminderDaysBeforeClose { get; init; }
        public string LocalOpensAt => Formats.DateTime(OpensAt, TimeZone, CultureInfo.CurrentCulture);
        public string LocalClosesAt => Formats.DateTime(ClosesAt, TimeZone, CultureInfo.CurrentCulture);
    }

    public sealed record AreaRow
    {
        public string Code { get; init; } = "";
        public string NameEn { get; init; } = "";
        public string NameSrLatn { get; init; } = "";
        public string NameMk { get; init; } = "";
        public string NameSq { get; init; } = "";
        public string Name => Languages.Pick(CultureInfo.CurrentUICulture, NameEn, NameSrLatn, NameMk, NameSq, Code);
    }

    public sealed record OrganisationRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Category { get; init; } = "";
        public DateTimeOffset InvitedAt { get; init; }
    }

    /// <summary>Questionnaire titles in the reader's language (<see cref="QuestionnaireTitlesSql"/>), by id.</summary>
    public IReadOnlyDictionary<long, string> Titles { get; private set; } = new Dictionary<long, string>();

    /// <summary>A questionnaire's title as the page shows it: in the reader's language where the definition has it.</summary>
    public string QuestionnaireTitle(long? id, string stored) =>
        Consultation.Web.Api.ImportApi.DisplayTitle(L, id is { } q && Titles.TryGetValue(q, out var t) ? t : stored);

    public sealed record QuestionnaireRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public long LatestVersion { get; init; }
        public string LatestStatus { get; init; } = "";
        public long? PublishedVersion { get; init; }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await LoadAsync(conn, id, ct) ? Page() : NotFound();
    }

    public Task<IActionResult> OnPostOpenAsync(long id, CancellationToken ct) => MoveAsync(id, RoundStatus.Open, ct);
    public Task<IActionResult> OnPostCloseAsync(long id, CancellationToken ct) => MoveAsync(id, RoundStatus.Closed, ct);
    public Task<IActionResult> OnPostArchiveAsync(long id, CancellationToken ct) => MoveAsync(id, RoundStatus.Archived, ct);

    private async Task<IActionResult> MoveAsync(long id, RoundStatus to, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var facts = await RoundsSql.LoadFactsAsync(conn, id, ct);
        if (facts is null) return NotFound();
        var round = facts.ToFacts();
        var now = clock.GetUtcNow();
        var decision = RoundTransitions.Decide(round, to, now);
        if (!decision.Allowed)
        {
            ErrorMessage = RefusalMessage(decision.Refusal, round.Status, to);
            await LoadAsync(conn, id, ct);
            return Page();
        }

        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            if (await RoundsSql.MoveAsync(conn, tx, id, round.Status, to, now, me.Id == 0 ? null : me.Id, ct) == 0)
            {
                await tx.RollbackAsync(ct);
                ErrorMessage = L["The round changed meanwhile. Check its status and try again."];
                await LoadAsync(conn, id, ct);
                return Page();
            }
            await audit.WriteAsync(RoundsSql.AuditAction(to), $"round:{id}", $"{round.Status} -> {to}", conn, tx, ct: ct);
            await tx.CommitAsync(ct);
        }
        StatusMessage = to switch
        {
            RoundStatus.Open when facts.OpensAt > now =>
                L["The round is open. It was planned to open on {0}; its opening time is now {1}.",
                    Formats.DateTime(facts.OpensAt, facts.TimeZone, CultureInfo.CurrentCulture), Formats.DateTime(now, facts.TimeZone, CultureInfo.CurrentCulture)],
            RoundStatus.Open => L["The round is open."],
            RoundStatus.Closed when facts.ClosesAt > now =>
                L["The round is closed. It was planned to close on {0}; its closing time is now {1}.",
                    Formats.DateTime(facts.ClosesAt, facts.TimeZone, CultureInfo.CurrentCulture), Formats.DateTime(now, facts.TimeZone, CultureInfo.CurrentCulture)],
            RoundStatus.Closed => L["The round is closed."],
            _ => L["The round is archived."],
        };
        return RedirectToPage(new { id });
    }

    public Task<IActionResult> OnPostInvitationsAsync(long id, string? mailKey, string? lastSent, CancellationToken ct) =>
        MailAsync(id, RoundMailer.Kind.Invitation, mailKey, lastSent, ct);

    public Task<IActionResult> OnPostRemindersAsync(long id, string? mailKey, string? lastSent, CancellationToken ct) =>
        MailAsync(id, RoundMailer.Kind.Reminder, mailKey, lastSent, ct);

    /// <param name="lastSent">The latest send of this kind the page knew of when it was loaded (<see cref="Stamp"/>; empty: none).
    /// A later send — from another tab, another coordinator, the automatic reminder — means the coordinator pressed the
    /// button without knowing the mail had gone out: nothing is sent, and the page says so; pressing again sends once more.
    /// A later send under this form's own <paramref name="mailKey"/> is its own double click, which the mailer makes a no-op.</param>
    private async Task<IActionResult> MailAsync(long id, RoundMailer.Kind kind, string? mailKey, string? lastSent, CancellationToken ct)
    {
        var key = mailKey is { Length: 32 } k && k.All(char.IsAsciiHexDigitLower) ? k : Guid.NewGuid().ToString("N");
        var prefix = kind == RoundMailer.Kind.Invitation ? ReminderSchedule.InvitationPrefix : ReminderSchedule.ManualPrefix;
        await using (var conn = await db.OpenAsync(ct))
        {
            var last = await LastSentAsync(conn, id, prefix + key, ct);
            if ((kind == RoundMailer.Kind.Invitation ? last.Invitations : last.Reminders) is { } latest
                && (FromStamp(lastSent) is not { } known || latest > known))
            {
                if (!await LoadAsync(conn, id, ct)) return NotFound();
                var at = $"{Local(latest)} ({Round.TimeZone})";
                if (!CanMail) ErrorMessage = L["Invitations and reminders go out only while the round is open."];
                else WarningMessage = kind == RoundMailer.Kind.Invitation
                    ? L["Invitations were already sent at {0}, after this page was loaded, so none were sent now. Press “{1}” again to send them once more.", at, L["Send invitations"].Value]
                    : L["Reminders were already sent at {0}, after this page was loaded, so none were sent now. Press “{1}” again to send them once more.", at, L["Send reminders"].Value];
                return Page();
            }
        }
        var respondUrl = links.Absolute(Request, Request.PathBase + "/Respond");
        var outcome = await mailer.SendAsync(id, kind, prefix + key, respondUrl, ct: ct);
        if (outcome is null) return NotFound();
        if (outcome.RoundNotOpen)
        {
            ErrorMessage = L["Invitations and reminders go out only while the round is open."];
            await using var conn = await db.OpenAsync(ct);
            await LoadAsync(conn, id, ct);
            return Page();
        }
        // Counts as "label: number": a sentence around a number cannot take the right plural in every language.
        var parts = new List<string>
        {
            kind == RoundMailer.Kind.Invitation
                ? L["Invitations sent — people: {0}, organisations: {1}.", outcome.Recipients, outcome.Organisations]
                : L["Reminders sent to the organisations that have not submitted — people: {0}, organisations: {1}.", outcome.Recipients, outcome.Organisations],
        };
        if (outcome.FailedOrganisations > 0) parts.Add(L["Organisations whose mail could not be sent (try again later): {0}.", outcome.FailedOrganisations]);
        if (outcome.WithoutMembers > 0) parts.Add(L["Organisations without a member who can sign in (invite people to them first): {0}.", outcome.WithoutMembers]);
        if (outcome.AlreadySent > 0) parts.Add(L["Organisations that had this mail already: {0}.", outcome.AlreadySent]);
        StatusMessage = string.Join(" ", parts);
        return RedirectToPage(new { id });
    }

    private string RefusalMessage(string? refusal, RoundStatus from, RoundStatus to) => refusal switch
    {
        RoundRefusals.NoPublishedQuestionnaire => L["The round cannot open yet: publish at least one questionnaire first."],
        RoundRefusals.NoInvitedOrganisation => L["The round cannot open yet: invite at least one organisation first."],
        RoundRefusals.ClosingTimePassed => L["The round cannot open: its closing time has passed. Move the closing time first."],
        _ => L["A round that is {0} cannot become {1}.", L[from.ToString()].Value, L[to.ToString()].Value],
    };

    private async Task<bool> LoadAsync(DbConnection conn, long id, CancellationToken ct)
    {
        var round = await conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition("""
            SELECT id, title, description_html, status, opens_at, closes_at, time_zone, min_organisations, default_grading, reminder_days_before_close
              FROM rounds WHERE id = @id
            """, new { id }, cancellationToken: ct));
        if (round is null) return false;
        Round = round;
        DescriptionHtml = richText.Sanitize(round.DescriptionHtml);
        CrimeAreas = (await conn.QueryAsync<AreaRow>(new CommandDefinition("""
            SELECT ca.code, ca.name_en, ca.name_sr_latn, ca.name_mk, ca.name_sq FROM round_crime_areas rca JOIN crime_areas ca ON ca.code = rca.crime_area_code
             WHERE rca.round_id = @id ORDER BY ca.sort_order, ca.code
            """, new { id }, cancellationToken: ct))).ToList();
        Organisations = (await conn.QueryAsync<OrganisationRow>(new CommandDefinition("""
            SELECT o.id, o.name, o.category, ro.invited_at FROM round_organisations ro JOIN organisations o ON o.id = ro.organisation_id
             WHERE ro.round_id = @id ORDER BY o.name
            """, new { id }, cancellationToken: ct))).ToList();
        Questionnaires = (await conn.QueryAsync<QuestionnaireRow>(new CommandDefinition("""
            SELECT q.id, q.title,
                   (SELECT MAX(v.version) FROM questionnaire_versions v WHERE v.questionnaire_id = q.id) AS latest_version,
                   (SELECT v.status FROM questionnaire_versions v WHERE v.questionnaire_id = q.id ORDER BY v.version DESC LIMIT 1) AS latest_status,
                   (SELECT MAX(v.version) FROM questionnaire_versions v WHERE v.questionnaire_id = q.id AND v.status = 'Published') AS published_version
              FROM questionnaires q WHERE q.round_id = @id ORDER BY q.id
            """, new { id }, cancellationToken: ct))).ToList();
        Progress = await RoundProgressSql.LoadAsync(conn, id, ct);
        var last = await LastSentAsync(conn, id, "", ct);
        (LastInvitationsSent, LastRemindersSent) = (last.Invitations, last.Reminders);
        Titles = await QuestionnaireTitlesSql.ForRoundAsync(conn, id, CultureInfo.CurrentUICulture, ct);
        Mail = (await conn.QueryAsync<MailRow>(new CommandDefinition("""
            SELECT organisation_id,
                   MAX(CASE WHEN schedule_key LIKE 'invitation:%' THEN delivered_at END) AS last_invitation,
                   MAX(CASE WHEN schedule_key NOT LIKE 'invitation:%' THEN delivered_at END) AS last_reminder,
                   (SELECT CASE WHEN x.delivered_at IS NULL THEN x.last_error END FROM reminders_sent x
                     WHERE x.round_id = rs.round_id AND x.organisation_id = rs.organisation_id ORDER BY x.sent_at DESC, x.id DESC LIMIT 1) AS last_error
              FROM reminders_sent rs WHERE round_id = @id GROUP BY round_id, organisation_id
            """, new { id }, cancellationToken: ct))).ToDictionary(m => m.OrganisationId);
        return true;
    }
}
