using System.Data.Common;
using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Core.Responses;
using Consultation.Core.Rounds;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Pages.Rounds;
using Dapper;

namespace Consultation.Web.Pages.Respond;

/// <summary>Audit actions of the responding side, stable strings stored in <c>audit_log.action</c>.</summary>
public static class RespondAudit
{
    public const string Submitted = "response.submitted";
    public const string Amended = "response.amended";
    public const string Withdrawn = "response.withdrawn";
    /// <summary>A draft never submitted moved to the questionnaire's latest published version (FormModel).</summary>
    public const string MovedToNewVersion = "response.version_moved";
}

/// <summary>
/// Lookups shared by the respondent's list and the form. Every query carries the respondent's organisation
/// (and, for responses, the respondent) in its WHERE clause: a questionnaire of a round the organisation was
/// not invited to, or another respondent's response, is simply not found.
/// </summary>
public static class RespondSql
{
    /// <summary>A questionnaire as its respondent may see it, with its round's state.</summary>
    public sealed record QuestionnaireRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public long RoundId { get; init; }
        public string RoundTitle { get; init; } = "";
        public string RoundStatus { get; init; } = "";
        public DateTimeOffset ClosesAt { get; init; }
        public string TimeZone { get; init; } = "";
        /// <summary>The latest published version; a new response starts on it.</summary>
        public long PublishedVersionId { get; init; }

        public RoundStatus Status => RoundStatuses.Parse(RoundStatus);
        public bool IsOpenAt(DateTimeOffset now) => ResponseRules.IsOpenFor(Status, ClosesAt, now);
        /// <summary>The deadline in the round's own time zone, e.g. <c>2027-03-31 17:00 (Europe/Belgrade)</c>.</summary>
        public string LocalDeadline => $"{Formats.DateTime(ClosesAt, TimeZone, CultureInfo.CurrentCulture)} ({TimeZone})";
    }

    /// <summary>The respondent's own response to a questionnaire (any version of it).</summary>
    public sealed record ResponseRow
    {
        public long Id { get; init; }
        public long QuestionnaireVersionId { get; init; }
        public string Status { get; init; } = ResponseStatus.Draft;
        public long Revision { get; init; }
        public long CurrentPage { get; init; }
        public string DataJson { get; init; } = "{}";
        public DateTimeOffset? SubmittedAt { get; init; }
        public string? IdempotencyKey { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        /// <summary>Number of the latest submitted revision; null before the first submission.</summary>
        public long? LastRevisionNo { get; init; }
        /// <summary>The answers of the latest submitted revision, to tell whether there are unsubmitted changes.</summary>
        public string? LastRevisionJson { get; init; }
    }

    /// <summary>
    /// The questionnaires of the rounds the respondent's organisation is invited to, once they have opened (draft rounds
    /// stay invisible) — what the form, its saves and its submissions see. A round that closed before the organisation
    /// saved anything still shows its page: read-only, with what this device may hold of answers typed then.
    /// </summary>
    private const string InvitedQuestionnaires = """
        SELECT q.id, q.title, r.id AS round_id, r.title AS round_title, r.status AS round_status, r.closes_at, r.time_zone,
               (SELECT v.id FROM questionnaire_versions v WHERE v.questionnaire_id = q.id AND v.status = 'Published'
                 ORDER BY v.version DESC LIMIT 1) AS published_version_id
          FROM questionnaires q
          JOIN rounds r ON r.id = q.round_id
          JOIN round_organisations ro ON ro.round_id = r.id AND ro.organisation_id = @Org
         WHERE EXISTS (SELECT 1 FROM questionnaire_versions v WHERE v.questionnaire_id = q.id AND v.status = 'Published')
           AND COALESCE(q.template, '') <> 'IMPORT' -- the hidden holder of API-imported responses (Api/ImportApi.cs)
           AND r.status IN ('Open', 'Closed', 'Archived')
        """;

    /// <summary>
    /// The respondent's list: open rounds, and closed or archived ones only where they answered (read-only).
    /// </summary>
    private const string ListedQuestionnaires = InvitedQuestionnaires + """

           AND (r.status = 'Open' OR EXISTS (
                SELECT 1 FROM responses rs JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id
                 WHERE v.questionnaire_id = q.id AND rs.respondent_user_id = @Me AND rs.organisation_id = @Org))
        """;

    public static async Task<IReadOnlyList<QuestionnaireRow>> VisibleAsync(DbConnection conn, long me, long org, CancellationToken ct) =>
        (await conn.QueryAsync<QuestionnaireRow>(new CommandDefinition(
            ListedQuestionnaires + " ORDER BY r.closes_at, r.id, q.id", new { Me = me, Org = org }, cancellationToken: ct))).ToList();

    public static Task<QuestionnaireRow?> QuestionnaireAsync(DbConnection conn, long id, long me, long org, CancellationToken ct, DbTransaction? tx = null) =>
        conn.QuerySingleOrDefaultAsync<QuestionnaireRow>(new CommandDefinition(
            InvitedQuestionnaires + " AND q.id = @id", new { id, Me = me, Org = org }, tx, cancellationToken: ct))!;

    public static Task<ResponseRow?> ResponseAsync(DbConnection conn, long questionnaireId, long me, long org, CancellationToken ct, DbTransaction? tx = null) =>
        conn.QuerySingleOrDefaultAsync<ResponseRow>(new CommandDefinition("""
            SELECT rs.id, rs.questionnaire_version_id, rs.status, rs.revision, rs.current_page, rs.data_json, rs.submitted_at,
                   COALESCE(rr.idempotency_key, rs.idempotency_key) AS idempotency_key, rs.updated_at, rr.revision_no AS last_revision_no,
                   rr.data_json AS last_revision_json
              FROM responses rs
              JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id
              LEFT JOIN response_revisions rr ON rr.response_id = rs.id
                    AND rr.revision_no = (SELECT MAX(x.revision_no) FROM response_revisions x WHERE x.response_id = rs.id)
             WHERE v.questionnaire_id = @questionnaireId AND rs.respondent_user_id = @Me AND rs.organisation_id = @Org
             ORDER BY rs.id DESC LIMIT 1
            """, new { questionnaireId, Me = me, Org = org }, tx, cancellationToken: ct))!;

    /// <summary>The state of the respondent's response that a write checks, without its answers.</summary>
    public sealed record ResponseState
    {
        public long ResponseId { get; init; }
        public long VersionId { get; init; }
        /// <summary>The status of the response's questionnaire version: a submission is validated against it if published.</summary>
        public string? VersionStatus { get; init; }
        public string Status { get; init; } = ResponseStatus.Draft;
        public long Revision { get; init; }
        public string? IdempotencyKey { get; init; }
    }

    /// <summary>
    /// What an autosave or submission needs before it writes, in one statement: the questionnaire as
    /// <see cref="QuestionnaireAsync"/> sees it (null when not visible to the respondent's organisation) and the state
    /// of the respondent's latest response to it (null before the first save).
    /// </summary>
    public static Task<(QuestionnaireRow Questionnaire, ResponseState? Response)?> TargetAsync(Db db, long id, long me, long org, CancellationToken ct) =>
        db.QueryHotAsync(TargetSql, [id, me, org], ReadTarget, ct);

    /// <summary>The row of <see cref="TargetSql"/>, read by hand (as Dapper's multi-map split on <c>response_id</c> maps it, RespondSqlTests).</summary>
    internal static (QuestionnaireRow Questionnaire, ResponseState? Response)? ReadTarget(DbDataReader r)
    {
        if (!r.Read()) return null;
        var q = new QuestionnaireRow
        {
            Id = DapperSetup.Column.Number(r, 0),
            Title = DapperSetup.Column.Text(r, 1) ?? "",
            RoundId = DapperSetup.Column.Number(r, 2),
            RoundTitle = DapperSetup.Column.Text(r, 3) ?? "",
            RoundStatus = DapperSetup.Column.Text(r, 4) ?? "",
            ClosesAt = DapperSetup.Column.Time(r, 5),
            TimeZone = DapperSetup.Column.Text(r, 6) ?? "",
            PublishedVersionId = DapperSetup.Column.Number(r, 7),
        };
        var response = r.IsDBNull(8) ? null : new ResponseState
        {
            ResponseId = DapperSetup.Column.Number(r, 8),
            VersionId = DapperSetup.Column.Number(r, 9),
            VersionStatus = DapperSetup.Column.Text(r, 10),
            Status = DapperSetup.Column.Text(r, 11) ?? ResponseStatus.Draft,
            Revision = DapperSetup.Column.Number(r, 12),
            IdempotencyKey = DapperSetup.Column.Text(r, 13),
        };
        if (r.Read()) throw new InvalidOperationException("More than one target row for one questionnaire.");
        return (q, response);
    }

    /// <summary>Run for every autosave and submission: kept compiled (see <see cref="HotSql"/>).</summary>
    internal static readonly HotSql TargetSql = new($$"""
        SELECT vq.id, vq.title, vq.round_id, vq.round_title, vq.round_status, vq.closes_at, vq.time_zone, vq.published_version_id, rs.id AS response_id, rs.questionnaire_version_id AS version_id, rv.status AS version_status,
               rs.status, rs.revision,
               COALESCE((SELECT k.idempotency_key FROM response_revisions k WHERE k.response_id = rs.id ORDER BY k.revision_no DESC LIMIT 1),
                        rs.idempotency_key) AS idempotency_key
          FROM ({{InvitedQuestionnaires}} AND q.id = @id) vq
          LEFT JOIN responses rs ON rs.id = (
                SELECT x.id FROM responses x JOIN questionnaire_versions xv ON xv.id = x.questionnaire_version_id
                 WHERE xv.questionnaire_id = vq.id AND x.respondent_user_id = @Me AND x.organisation_id = @Org
                 ORDER BY x.id DESC LIMIT 1)
          LEFT JOIN questionnaire_versions rv ON rv.id = rs.questionnaire_version_id
        """, "@id", "@Me", "@Org");

    /// <summary>The definitions of these published versions, by version id (one query for a whole list).</summary>
    public static async Task<Dictionary<long, string>> PublishedSchemasAsync(DbConnection conn, IReadOnlyCollection<long> versionIds, CancellationToken ct) =>
        versionIds.Count == 0 ? [] : (await conn.QueryAsync<(long Id, string SchemaJson)>(new CommandDefinition(
            $"SELECT id, schema_json FROM questionnaire_versions WHERE id {SqlList.In(conn, "@versionIds")} AND status = 'Published'",
            new { versionIds = versionIds.ToArray() }, cancellationToken: ct))).ToDictionary(v => v.Id, v => v.SchemaJson);

    /// <summary>The schema of a published version of the questionnaire (the response's, else the latest).</summary>
    public static Task<string?> PublishedSchemaAsync(DbConnection conn, long questionnaireId, long versionId, CancellationToken ct, DbTransaction? tx = null) =>
        conn.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            SELECT schema_json FROM questionnaire_versions
             WHERE id = @versionId AND questionnaire_id = @questionnaireId AND status = 'Published'
            """, new { questionnaireId, versionId }, tx, cancellationToken: ct));
}
