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
        public DateTimeOffset OpensAt { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public string TimeZone { get; init; } = "UTC";
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
            SELECT r.id, r.status, r.opens_at, r.closes_at, r.time_zone,
                   (SELECT COUNT(*) FROM questionnaires q
                     WHERE q.round_id = r.id AND COALESCE(q.template, '') <> 'IMPORT'
                       AND EXISTS (SELECT 1 FROM questionnaire_versions v WHERE v.questionnaire_id = q.id AND v.status = 'Published')) AS published_questionnaires,
                   (SELECT COUNT(*) FROM round_organisations ro WHERE ro.round_id = r.id) AS invited_organisations
              FROM rounds r WHERE r.id = @id
            """, new { id }, cancellationToken: ct))!;

    /// <summary>
    /// Stores a new Draft round with its crime areas and invited organisations (the API's round creation;
    /// the Create page does the same through its form). Returns the new id.
    /// </summary>
    public static async Task<long> InsertAsync(DbConnection conn, DbTransaction tx, Pages.Rounds.ParsedRound round, long? createdBy, DateTimeOffset now, CancellationToken ct)
    {
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO rounds (title, description_html, opens_at, closes_at, time_zone, status, min_organisations, default_grading,
                                category_weights_json, indicator_weights_json, reminder_days_before_close, created_by, created_at, updated_at)
            VALUES (@Title, @DescriptionHtml, @OpensAt, @ClosesAt, @TimeZone, 'Draft', @MinOrganisations, @DefaultGrading,
                    @CategoryWeightsJson, @IndicatorWeightsJson, @ReminderDaysBeforeClose, @createdBy, @now, @now)
            RETURNING id
            """, new
        {
            round.Title, round.DescriptionHtml, round.OpensAt, round.ClosesAt, round.TimeZone, round.MinOrganisations, round.DefaultGrading,
            round.CategoryWeightsJson, round.IndicatorWeightsJson, round.ReminderDaysBeforeClose, createdBy, now,
        }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO round_crime_areas (round_id, crime_area_code) VALUES (@id, @Code)",
            round.CrimeAreas.Select(code => new { id, Code = code }), tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO round_organisations (round_id, organisation_id, invited_at, invited_by) VALUES (@id, @Org, @now, @createdBy)",
            round.Organisations.Select(org => new { id, Org = org, now, createdBy }), tx, cancellationToken: ct));
        return id;
    }

    /// <summary>
    /// Moves the round from <paramref name="from"/> to <paramref name="to"/> only if it is still in
    /// <paramref name="from"/> (and, when opening, still has what the guards asked for): 0 rows means
    /// someone else changed it first. A round opened before its planned opening time opens now: its opening
    /// time becomes the moment it opened, so the round never says it opens later than it took answers. Likewise a
    /// round closed before its planned closing time closes now: its closing time becomes the moment it closed, so
    /// no page shows a deadline the round never reached (a round closed at or after its closing time keeps it).
    /// <paramref name="by"/> is who moved it (null: the portal itself), named to an editor whose page it made stale.
    /// </summary>
    public static Task<int> MoveAsync(DbConnection conn, DbTransaction tx, long id, RoundStatus from, RoundStatus to, DateTimeOffset now, long? by, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            UPDATE rounds SET status = @To, updated_at = @now, updated_by = @by,
                   opens_at = CASE WHEN @To = 'Open' AND opens_at > @now THEN @now ELSE opens_at END,
                   closes_at = CASE WHEN @To = 'Closed' AND closes_at > @now THEN @now ELSE closes_at END
             WHERE id = @id AND status = @From
               AND (@To <> 'Open' OR (
                    EXISTS (SELECT 1 FROM questionnaires q JOIN questionnaire_versions v ON v.questionnaire_id = q.id
                             WHERE q.round_id = rounds.id AND v.status = 'Published' AND COALESCE(q.template, '') <> 'IMPORT')
                AND EXISTS (SELECT 1 FROM round_organisations ro WHERE ro.round_id = rounds.id)))
            """, new { id, From = from.ToString(), To = to.ToString(), now, by }, tx, cancellationToken: ct));

    public static string AuditAction(RoundStatus to) => to switch
    {
        RoundStatus.Open => Infrastructure.Security.AuditActions.RoundOpened,
        RoundStatus.Closed => Infrastructure.Security.AuditActions.RoundClosed,
        RoundStatus.Archived => Infrastructure.Security.AuditActions.RoundArchived,
        _ => Infrastructure.Security.AuditActions.RoundUpdated,
    };
}
