using System.Data.Common;
using Consultation.Core.Rounds;
using Dapper;

namespace Consultation.Web.Rounds;

/// <summary>Round SQL needed by more than one caller (the round page and the auto-close service).</summary>
public static class RoundsSql
{
    public sealed record FactsRow
    {
        public long Id { get; init; }
        public string Status { get; init; } = "";
        public DateTimeOffset ClosesAt { get; init; }
        public long PublishedQuestionnaires { get; init; }
        public long InvitedOrganisations { get; init; }

        public RoundFacts ToFacts() => new()
        {
            Status = RoundStatuses.Parse(Status), ClosesAt = ClosesAt,
            PublishedQuestionnaires = (int)PublishedQuestionnaires, InvitedOrganisations = (int)InvitedOrganisations,
        };
    }

    public static Task<FactsRow?> LoadFactsAsync(DbConnection conn, long id, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<FactsRow>(new CommandDefinition("""
            SELECT r.id, r.status, r.closes_at,
                   (SELECT COUNT(*) FROM questionnaires q
                     WHERE q.round_id = r.id
                       AND EXISTS (SELECT 1 FROM questionnaire_versions v WHERE v.questionnaire_id = q.id AND v.status = 'Published')) AS published_questionnaires,
                   (SELECT COUNT(*) FROM round_organisations ro WHERE ro.round_id = r.id) AS invited_organisations
              FROM rounds r WHERE r.id = @id
            """, new { id }, cancellationToken: ct))!;

    /// <summary>
    /// Moves the round from <paramref name="from"/> to <paramref name="to"/> only if it is still in
    /// <paramref name="from"/> (and, when opening, still has what the guards asked for): 0 rows means
    /// someone else changed it first.
    /// </summary>
    public static Task<int> MoveAsync(DbConnection conn, DbTransaction tx, long id, RoundStatus from, RoundStatus to, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE rounds SET status = @To, updated_at = @now
             WHERE id = @id AND status = @From
               AND (@To <> 'Open' OR (
                    EXISTS (SELECT 1 FROM questionnaires q JOIN questionnaire_versions v ON v.questionnaire_id = q.id
                             WHERE q.round_id = rounds.id AND v.status = 'Published')
                AND EXISTS (SELECT 1 FROM round_organisations ro WHERE ro.round_id = rounds.id)))
            """, new { id, From = from.ToString(), To = to.ToString(), now }, tx, cancellationToken: ct));

    public static string AuditAction(RoundStatus to) => to switch
    {
        RoundStatus.Open => Infrastructure.Security.AuditActions.RoundOpened,
        RoundStatus.Closed => Infrastructure.Security.AuditActions.RoundClosed,
        RoundStatus.Archived => Infrastructure.Security.AuditActions.RoundArchived,
        _ => Infrastructure.Security.AuditActions.RoundUpdated,
    };
}
