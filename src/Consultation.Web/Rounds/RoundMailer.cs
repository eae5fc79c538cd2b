using System.Data.Common;
using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Core.Rounds;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Localization;
using Consultation.Web.Infrastructure.Mail;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Pages.Rounds;
using Dapper;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Rounds;

/// <summary>Audit actions of the coordinator's side of a round (kept here, next to their only writers).</summary>
public static class CoordinationAuditActions
{
    public const string InvitationsSent = "round.invitations_sent";
    public const string RemindersSent = "round.reminders_sent";
    public const string ResponseGraded = "response.graded";
}

/// <summary>What one send did, for the coordinator's message and the audit row.</summary>
public sealed record RoundMailOutcome
{
    public int Organisations { get; init; }
    public int Recipients { get; init; }
    public int FailedOrganisations { get; init; }
    public int AlreadySent { get; init; }
    public int WithoutMembers { get; init; }
    /// <summary>Nothing was sent: invitations and reminders go out only while the round is open.</summary>
    public bool RoundNotOpen { get; init; }
}

/// <summary>
/// Mails the members of a round's invited organisations: "the round is open" invitations and reminders to
/// organisations that have not submitted (issue 3). Each organisation's mail is claimed first in
/// <c>reminders_sent</c>, whose UNIQUE (round, organisation, schedule key) makes it go out once per schedule —
/// across double clicks, two app instances and restarts — and sent after. A send that reached nobody records
/// its error and may be claimed again; one interrupted mid-way is not repeated (see migration 0005).
/// </summary>
public sealed class RoundMailer(Db db, MailSender mail, AuditLog audit, TimeProvider clock,
    IStringLocalizer<SharedResource> L, ILogger<RoundMailer> logger)
{
    public enum Kind { Invitation, Reminder }

    /// <summary>A failed send is claimed again at most this many times in all.</summary>
    public const int MaxAttempts = 5;

    private sealed record RoundRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset ClosesAt { get; init; }
        public string TimeZone { get; init; } = "";
    }

    private sealed record MemberRow
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string? Culture { get; init; }
    }

    /// <param name="respondUrl">Absolute link to the respondent home (<c>/Respond</c>); null writes sign-in advice instead.</param>
    /// <param name="actorEmail">Who the audit names; null = the signed-in user.</param>
    public async Task<RoundMailOutcome?> SendAsync(long roundId, Kind kind, string scheduleKey, string? respondUrl,
        string? actorEmail = null, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        var round = await conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition(
            "SELECT id, title, status, closes_at, time_zone FROM rounds WHERE id = @roundId", new { roundId }, cancellationToken: ct));
        if (round is null) return null;
        if (!ResponseRulesOpen(round)) return new RoundMailOutcome { RoundNotOpen = true };

        var progress = await RoundProgressSql.LoadAsync(conn, roundId, ct);
        var targets = kind == Kind.Reminder ? RoundProgressSql.Pending(progress) : progress.Select(p => p.OrganisationId).ToHashSet();
        var names = progress.GroupBy(p => p.OrganisationId).ToDictionary(g => g.Key, g => g.First().OrganisationName);

        int organisations = 0, recipients = 0, failed = 0, already = 0, withoutMembers = 0;
        foreach (var orgId in targets.OrderBy(id => names[id], StringComparer.Ordinal))
        {
            var members = (await conn.QueryAsync<MemberRow>(new CommandDefinition("""
                SELECT u.id, u.email, u.display_name, u.culture FROM users u
                 WHERE u.organisation_id = @orgId AND u.password_hash IS NOT NULL
                   AND u.disabled_at IS NULL -- a disabled account gets no round mail (nor counts as someone to reach)
                   AND EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id AND r.name = 'Respondent')
                 ORDER BY u.email
                """, new { orgId }, cancellationToken: ct))).ToList();
            if (members.Count == 0) { withoutMembers++; continue; }

            var claim = await ClaimAsync(conn, roundId, orgId, scheduleKey, ct);
            if (claim is null) { already++; continue; }

            var sent = 0;
            string? error = null;
            foreach (var member in members)
            {
                try
                {
                    await mail.SendAsync(Compose(kind, round, names[orgId], member, respondUrl), ct);
                    sent++;
                }
                catch (Exception ex) when (ex is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or IOException
                                               or System.Net.Sockets.SocketException or MailKit.ServiceNotConnectedException or MailKit.Security.AuthenticationException)
                {
                    logger.LogError(ex, "{Kind} mail of round {RoundId} to {Email} could not be sent", kind, roundId, member.Email);
                    error = ex.Message;
                }
            }
            // The outcome is recorded with a fresh token: a cancelled request must not leave a claim that looks interrupted.
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE reminders_sent SET delivered_at = @Delivered, recipients = @sent, last_error = @error WHERE id = @claim
                """, new { Delivered = sent > 0 ? clock.GetUtcNow() : (DateTimeOffset?)null, sent, error, claim }, cancellationToken: CancellationToken.None));
            if (sent > 0) { organisations++; recipients += sent; }
            else failed++;
        }

        var outcome = new RoundMailOutcome
        {
            Organisations = organisations, Recipients = recipients, FailedOrganisations = failed, AlreadySent = already, WithoutMembers = withoutMembers,
        };
        if (organisations + failed > 0)
            await audit.WriteAsync(kind == Kind.Invitation ? CoordinationAuditActions.InvitationsSent : CoordinationAuditActions.RemindersSent,
                $"round:{roundId}",
                $"{scheduleKey}: {organisations} organisations, {recipients} recipients, {failed} failed",
                conn, actorEmail: actorEmail, ct: ct);
        return outcome;
    }

    private bool ResponseRulesOpen(RoundRow round) =>
        RoundStatuses.TryParse(round.Status, out var s) && Core.Responses.ResponseRules.IsOpenFor(s, round.ClosesAt, clock.GetUtcNow());

    /// <summary>Inserts the claim (the UNIQUE key refuses a second one) or re-claims a send that reached nobody; null when taken.</summary>
    private async Task<long?> ClaimAsync(DbConnection conn, long roundId, long orgId, string scheduleKey, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO reminders_sent (round_id, organisation_id, schedule_key, sent_at)
            VALUES (@roundId, @orgId, @scheduleKey, @now)
            ON CONFLICT (round_id, organisation_id, schedule_key) DO NOTHING
            RETURNING id
            """, new { roundId, orgId, scheduleKey, now }, cancellationToken: ct));
        if (id is not null) return id;
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            UPDATE reminders_sent SET attempts = attempts + 1, last_error = NULL, sent_at = @now
             WHERE round_id = @roundId AND organisation_id = @orgId AND schedule_key = @scheduleKey
               AND delivered_at IS NULL AND last_error IS NOT NULL AND attempts < @MaxAttempts
            RETURNING id
            """, new { roundId, orgId, scheduleKey, now, MaxAttempts }, cancellationToken: ct));
    }

    /// <summary>Writes the mail in the member's own language when they chose one.</summary>
    private MailMessage Compose(Kind kind, RoundRow round, string organisation, MemberRow member, string? respondUrl)
    {
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            if (member.Culture is { Length: > 0 } c && LocalizationExtensions.Cultures.Any(x => x.Code == c))
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(c);
            var closes = Formats.DateTime(round.ClosesAt, round.TimeZone, CultureInfo.CurrentCulture);
            var link = respondUrl is null
                ? L["Sign in to the Consultation portal and open Respond to answer."].Value
                : L["Open your questionnaires here:"] + "\n" + respondUrl;
            return kind == Kind.Invitation
                ? new MailMessage(member.Email,
                    L["Consultation open: {0}", round.Title],
                    string.Join("\n\n",
                        L["The consultation round \"{0}\" is open for {1} until {2} ({3}).", round.Title, organisation, closes, round.TimeZone],
                        link,
                        L["Thank you for contributing."]))
                : new MailMessage(member.Email,
                    L["Reminder: {0} closes on {1}", round.Title, closes],
                    string.Join("\n\n",
                        L["{0} has not yet submitted every questionnaire of the consultation round \"{1}\", which closes on {2} ({3}).", organisation, round.Title, closes, round.TimeZone],
                        link,
                        L["If your organisation has submitted meanwhile, thank you, and please ignore this message."]));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = uiCulture;
        }
    }
}
