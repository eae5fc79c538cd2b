using System.Buffers;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Consultation.Core.Localization;
using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;
using Consultation.Web.Infrastructure;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Mail;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Pages.Rounds;
using Consultation.Web.Rounds;
using Dapper;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Pages.Respond;

/// <summary>
/// The form's autosave and submission (issue 3, "Responding"), as two JSON endpoints beside the page
/// (<see cref="FormModel"/> renders it and handles withdrawal). They used to be page handlers; as endpoints they skip
/// the page's filter pipeline, model binding and result formatting, which measured about a tenth of the server's CPU
/// per autosave (issue 6, "Load benchmarks"). Everything those gave is kept and done here, explicitly and in the same
/// order: the Respondent policy (on the route), the antiforgery token (400), the account-state redirect
/// (<see cref="AccountStateFilter"/>), the answer size limit (413, before anything is parsed), a malformed body (400),
/// a locked or full database (503 + Retry-After) — all problem+json the script shows.
/// </summary>
public static class FormEndpoints
{
    public static string SaveUrl(long questionnaireId) => $"/Respond/Form/{questionnaireId}/save";

    public static string SubmitUrl(long questionnaireId) => $"/Respond/Form/{questionnaireId}/submit";

    public static IEndpointRouteBuilder MapRespondForm(this IEndpointRouteBuilder app)
    {
        var form = app.MapGroup("/Respond/Form/{id:long}").RequireAuthorization(Policies.Respondent);
        form.MapPost("/save", (long id, HttpContext http, FormActions actions, CurrentUser me) => actions.SaveAsync(http, id, me));
        form.MapPost("/submit", (long id, HttpContext http, FormActions actions, CurrentUser me, AuditLog audit) => actions.SubmitAsync(http, id, me, audit));
        return app;
    }
}

/// <summary>What <see cref="FormEndpoints"/> do. Everything is scoped to the signed-in respondent and their organisation in the SQL itself: a foreign id is a 404.</summary>
public sealed partial class FormActions(Db db, MailOutbox outbox, TimeProvider clock, ResponseWriter writer, CompiledSchemas schemas,
    IAntiforgery antiforgery, IOptions<RoundsOptions> rounds, LinkGenerator links, PublicLinks publicLinks, IStringLocalizer<SharedResource> L, ILogger<FormActions> logger)
{
    /// <summary>What the script sends: the answers (compact JSON, null unless an object), where the respondent is, the revision they last saw.</summary>
    private sealed record Body(string? Data, int CurrentPage, long Revision, string? IdempotencyKey);

    /// <summary>Autosave of the draft: JSON in, <c>{ revision, savedAt }</c> out; 409 with the server's copy on a stale revision.</summary>
    public Task<IResult> SaveAsync(HttpContext http, long id, CurrentUser me) => Guarded(http, async () =>
    {
        if (await RefusedAsync(http, me) is { } refused) return refused;
        if (me.OrganisationId is not { } org) return NotFoundProblem();
        var (body, invalid) = await ReadAsync(http);
        if (invalid is not null) return invalid;
        // The answers are compact valid JSON already: only their size is left to check.
        var data = body!.Data;
        if (data is not { Length: > 0 }) return BadBody();
        if (data.Length > AnswerValidator.MaxDataLength) return TooLarge(AnswerValidator.MaxDataLength);
        var ct = http.RequestAborted;
        var page = Math.Max(0, body.CurrentPage);
        var now = clock.GetUtcNow();

        // The common case in one statement: the respondent's latest response to a questionnaire their organisation
        // may answer now, at the revision they last saw. Anything else — a first save, a stale revision, a closed or
        // no longer visible round — writes nothing here and takes the full path below, which tells them apart.
        if (body.Revision > 0)
        {
            object?[] args = [data, page, now, id, me.Id, org, body.Revision];
            if (await writer.WriteRowAsync(OpenDraftSaveSql, args, ReadRevision, ct) is { } saved)
                return Results.Json(new Saved(saved.Value, now));
        }

        // One statement, kept compiled: the questionnaire as the respondent's organisation may see it, and their
        // response's state. No connection is held while the write waits for the group writer: it takes its own from
        // the same pool, and on PostgreSQL (a bounded pool) requests holding theirs while waiting would starve it.
        if (await RespondSql.TargetAsync(db, id, me.Id, org, ct) is not (var q, var response)) return NotFoundProblem();
        if (ResponseRules.Refusal(ResponseAction.SaveDraft, q.Status, q.ClosesAt, response?.Status, now) is { } refusal)
            return Refused(refusal);

        Revision? revision;
        if (response is null)
        {
            if (body.Revision != 0) return await ConflictAsync(id, me.Id, org, ct);
            // The unique index (version, respondent) turns a simultaneous first save on another device into no row.
            object?[] args = [q.PublishedVersionId, org, me.Id, page, data, now];
            revision = await writer.WriteRowAsync(FirstSaveSql, args, ReadRevision, ct);
        }
        else
        {
            object?[] args = [data, page, now, response.ResponseId, me.Id, org, body.Revision];
            revision = await writer.WriteRowAsync(SaveSql, args, ReadRevision, ct);
        }
        if (revision is null) return await ConflictAsync(id, me.Id, org, ct);
        return Results.Json(new Saved(revision.Value, now));
    });

    private sealed record Saved(long Revision, DateTimeOffset SavedAt);

    /// <summary>
    /// Submission: validated against the published schema, copied to <c>response_revisions</c> as the next
    /// revision, audited and acknowledged by mail. The client's idempotency key makes a retry return the first
    /// result instead of a second revision.
    /// </summary>
    public Task<IResult> SubmitAsync(HttpContext http, long id, CurrentUser me, AuditLog audit) => Guarded(http, async () =>
    {
        if (await RefusedAsync(http, me) is { } refused) return refused;
        if (me.OrganisationId is not { } org) return NotFoundProblem();
        var (body, invalid) = await ReadAsync(http);
        if (invalid is not null) return invalid;
        if (body!.IdempotencyKey is not { } key || !IdempotencyKeyPattern().IsMatch(key))
            return Problem(400, "request.invalid", L["The request is missing a valid idempotency key."]);
        if (body.Data is not { Length: > 0 } data) return BadBody();
        // Within the request's limit but over what is stored: too large as well (the validator would call it "not an object").
        if (data.Length > AnswerValidator.MaxDataLength) return TooLarge(AnswerValidator.MaxDataLength);
        var ct = http.RequestAborted;
        var page = Math.Max(0, body.CurrentPage);

        // The common case without the read: a response that has a revision already, to a questionnaire this process
        // has recently read (GuardedSubmitAsync). It writes nothing when anything differs, and the full path below
        // tells the cases apart.
        if (body.Revision > 0 && await GuardedSubmitAsync(http, id, me, org, audit, body.Revision, data, key, page, ct) is { } done) return done;

        // As in SaveAsync: one kept-compiled statement, and no connection held while the write waits.
        if (await RespondSql.TargetAsync(db, id, me.Id, org, ct) is not (var q, var expected)) return NotFoundProblem();
        Remember(q);
        // A retry of this very submission answers what the first one committed (read in full only then).
        if (expected?.IdempotencyKey == key)
        {
            await using var conn = await db.OpenAsync(ct);
            if (await RespondSql.ResponseAsync(conn, id, me.Id, org, ct) is { } first && first.IdempotencyKey == key) return Submitted(first, me);
        }

        var now = clock.GetUtcNow();
        if (ResponseRules.Refusal(ResponseAction.Submit, q.Status, q.ClosesAt, expected?.Status, now) is { } refusal)
            return Refused(refusal);
        if (expected is not null && expected.Revision != body.Revision) return await ConflictAsync(id, me.Id, org, ct);
        // A draft never submitted, still on an older version (this page was opened before the new one was published):
        // opening the form moves it (FormModel), and the answers typed here belong to the old form. Nothing is stored.
        if (expected is { Status: ResponseStatus.Draft } && expected.VersionId != q.PublishedVersionId)
            return Problem(409, ResponseRefusals.VersionChanged,
                L["The questionnaire was updated since this page was opened. Reload the page: your answers are carried over to the new version."]);

        // The response's own version (it must still be published), else the latest published one.
        if (expected is not null && expected.VersionStatus != "Published") return NotFoundProblem();
        var versionId = expected?.VersionId ?? q.PublishedVersionId;
        var schema = await schemas.GetAsync(db, id, versionId, ct);
        if (schema is null) return NotFoundProblem();
        var errors = AnswerValidator.Validate(schema, data);
        if (errors.Count > 0)
        {
            return Problem(422, ResponseRefusals.InvalidAnswers, L["Some answers need attention."], new Dictionary<string, object?>
            {
                ["errors"] = errors.Select(e => new { question = e.Question, path = e.Path, message = L[e.Message, [.. e.Arguments]].Value }).ToList(),
            });
        }

        var receipt = Receipt(http, q, schema, me, now);
        // A retry of this submission cannot write again: its first attempt moved the response's revision on, and the
        // write requires the revision the respondent last saw (a first submission: the response exists by then, and
        // the unique index on version, respondent and organisation makes the insert do nothing). It is told apart
        // below by the key of the latest revision. Keys are the client's, per response; they need not be unique.
        Written? written;
        try
        {
            written = await writer.WriteAsync(async (c, tx) =>
            {
                // The number of the revision it makes comes back with the row (the row is ours until the commit).
                var row = expected is null
                    ? await Db.QueryHotAsync(c, tx, FirstSubmitSql, [versionId, org, me.Id, page, data, now], ReadWrittenRow)
                    : await Db.QueryHotAsync(c, tx, SubmitSql, [data, page, now, expected.ResponseId, me.Id, org, body.Revision], ReadWrittenRow);
                // Nothing written: our own retry got there first (same key), or another device saved meanwhile. Told
                // apart below, outside the group transaction.
                if (row is not null) await WriteRevisionAsync(c, tx, id, row, data, key, now, me, audit, receipt);
                return row;
            }, ct);
        }
        catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            written = null;
        }
        if (written is null)
        {
            await using var again = await db.OpenAsync(ct);
            var current = await RespondSql.ResponseAsync(again, id, me.Id, org, ct);
            if (current?.IdempotencyKey == key) return Submitted(current, me);
            // Another device's save, or an earlier submission retried after a later one: a conflict.
            return await ConflictAsync(again, id, me.Id, org, ct);
        }

        outbox.Wake();
        return Submitted(written, versionId, page, data, now, key, me);
    });

    /// <summary>
    /// The questionnaires (as <see cref="RespondSql.TargetAsync"/> last read them for any organisation) that
    /// <see cref="GuardedSubmitAsync"/> relies on: it composes the receipt from this copy, and its statement checks
    /// that the copy is still what the database holds. A changed title or closing time makes it fall back to the full
    /// path, which reads and remembers the new one. Bounded: when full it starts over.
    /// </summary>
    private readonly ConcurrentDictionary<long, RespondSql.QuestionnaireRow> _questionnaires = new();
    private const int MaxQuestionnaires = 512;
    private long _guardedSubmissions;

    /// <summary>Submissions written by <see cref="GuardedSubmitAsync"/> (for the tests: the path is taken).</summary>
    internal long GuardedSubmissions => Interlocked.Read(ref _guardedSubmissions);

    private void Remember(RespondSql.QuestionnaireRow q)
    {
        if (_questionnaires.TryGetValue(q.Id, out var known) && known == q) return;
        if (_questionnaires.Count >= MaxQuestionnaires) _questionnaires.Clear();
        _questionnaires[q.Id] = q;
    }

    /// <summary>
    /// A submission without the target read: validated against the remembered questionnaire's published version and
    /// written by one guarded statement (<see cref="GuardedSubmitSql"/>) that carries every check of the full path —
    /// the organisation's latest response at the revision the respondent last saw, on that version, still published;
    /// the round open to the organisation and before its closing time (a retry of it finds the revision moved on) —
    /// and checks that the remembered title, round and closing time the receipt names are the current ones. On
    /// PostgreSQL the revision, its audit entry and the receipt are written by the same statement (one round trip in
    /// the writer's lane). Null when it wrote nothing, whatever the reason: the full path then answers, exactly as
    /// without this one.
    /// </summary>
    private async Task<IResult?> GuardedSubmitAsync(HttpContext http, long id, CurrentUser me, long org, AuditLog audit, long revision, string data,
        string key, int page, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!_questionnaires.TryGetValue(id, out var q) || !q.IsOpenAt(now)) return null;
        var versionId = q.PublishedVersionId;
        // Invalid answers, or answers to another version: the full path validates against the response's own.
        if (await schemas.GetAsync(db, id, versionId, ct) is not { } schema || AnswerValidator.Validate(schema, data).Count > 0) return null;
        var receipt = Receipt(http, q, schema, me, now);
        // The guard's values after the answers, page and time (GuardedSubmitParameters); the PostgreSQL statement has the key among them.
        object?[] guard = [id, me.Id, org, revision, versionId, q.Title, q.RoundTitle, q.ClosesAt, q.TimeZone];
        Written? written;
        try
        {
            if (db.Dialect == DatabaseProvider.Postgres)
            {
                if (receipt.After is null) return null;
                // The audit row's time, actor id, actor e-mail and address (AuditLog.ParameterNames 0, 1, 2 and 6);
                // its action, target and details depend on the revision number and are completed in the statement.
                var audited = audit.Values(RespondAudit.Submitted);
                object?[] args =
                [
                    data, page, now, key, .. guard, audited[0], audited[1], audited[2], $"questionnaire:{id} revision ", audited[6],
                    receipt.To, receipt.Subject, receipt.Before, receipt.After,
                ];
                written = await writer.WriteRowAsync(GuardedSubmitAllSql, args, ReadWritten, ct);
            }
            else
            {
                written = await writer.WriteAsync(async (c, tx) =>
                {
                    var row = await Db.QueryHotAsync(c, tx, GuardedSubmitSql, [data, page, now, .. guard], ReadWrittenRow);
                    if (row is not null) await WriteRevisionAsync(c, tx, id, row, data, key, now, me, audit, receipt);
                    return row;
                }, ct);
            }
        }
        catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // The revision number was taken meanwhile (another instance's write of the same response): the full path answers.
            return null;
        }
        if (written is null) return null;
        Interlocked.Increment(ref _guardedSubmissions);
        outbox.Wake();
        return Submitted(written, versionId, page, data, now, key, me);
    }

    /// <summary>The revision, its audit entry and the receipt (sent after the commit, MailOutbox) in one command: on PostgreSQL one round trip instead of three.</summary>
    private Task<int> WriteRevisionAsync(DbConnection c, DbTransaction tx, long id, Written row, string data, string key, DateTimeOffset now, CurrentUser me,
        AuditLog audit, ReceiptText receipt) =>
        Db.ExecuteHotAsync(c, tx, RevisionSql,
        [
            row.Id, row.RevisionNo, data, now, me.Id, key,
            .. audit.Values(row.RevisionNo == 1 ? RespondAudit.Submitted : RespondAudit.Amended, $"response:{row.Id}", $"questionnaire:{id} revision {row.RevisionNo}"),
            .. outbox.Values(receipt.Mail(row.RevisionNo)),
        ]);

    /// <summary>Exactly what a submission committed (a re-read could already show a later change from another device).</summary>
    private IResult Submitted(Written written, long versionId, int page, string data, DateTimeOffset now, string key, CurrentUser me) => Submitted(new RespondSql.ResponseRow
    {
        Id = written.Id, QuestionnaireVersionId = versionId, Status = ResponseStatus.Submitted, Revision = written.Revision,
        CurrentPage = page, DataJson = data, SubmittedAt = now, IdempotencyKey = key, UpdatedAt = now,
        LastRevisionNo = written.RevisionNo, LastRevisionJson = data,
    }, me);

    /// <summary>What the submission's write did: the response row and revision it wrote.</summary>
    private sealed record Written(long Id, long Revision, long RevisionNo);

    /// <summary>The revision a draft save made.</summary>
    private sealed record Revision(long Value);

    private static Revision ReadRevision(DbDataReader r) => new(DapperSetup.Column.Number(r, 0));

    private static Written? ReadWrittenRow(DbDataReader r) => r.Read() ? ReadWritten(r) : null;

    /// <summary>The written row (the reader is on it).</summary>
    private static Written ReadWritten(DbDataReader r) =>
        new(DapperSetup.Column.Number(r, 0), DapperSetup.Column.Number(r, 1), DapperSetup.Column.Number(r, 2));

    // The writes, kept compiled on the group writer's connection (Db.RentAsync). Ownership and the revision the
    // respondent last saw are in every WHERE clause.
    private static readonly HotSql FirstSaveSql = new("""
        INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, current_page, data_json, created_at, updated_at)
        VALUES (@versionId, @org, @me, 'Draft', 1, @page, @data, @now, @now)
        ON CONFLICT DO NOTHING RETURNING revision
        """, "@versionId", "@org", "@me", "@page", "@data", "@now");

    /// <summary>
    /// An autosave of the respondent's latest response with every check of the full path in its WHERE clause: the
    /// questionnaire is visible to the organisation (<see cref="RespondSql"/>'s rules) in a round that is open and not past
    /// its closing time (<see cref="ResponseRules"/> for a draft save), and the revision is the one last seen.
    /// </summary>
    private static readonly HotSql OpenDraftSaveSql = new($"""
        UPDATE responses SET data_json = @data, current_page = @page, revision = revision + 1, updated_at = @now
         WHERE id = {LatestResponse}
           AND {DraftRow}
           AND {DraftOpen}
        RETURNING revision
        """, "@data", "@page", "@now", "@questionnaireId", "@me", "@org", "@revision") { Many = OpenDraftSaveManySql() };

    /// <summary>The conditions of <see cref="OpenDraftSaveSql"/> on the response row itself (found by id: see <see cref="LatestResponse"/>).</summary>
    private const string DraftRow = "+respondent_user_id = @me AND +organisation_id = @org AND revision = @revision";

    /// <summary>The conditions of <see cref="OpenDraftSaveSql"/> beyond the row: the round open to the organisation, a version published.</summary>
    private const string DraftOpen = $"""
        {OpenToOrganisation}
                          AND EXISTS (SELECT 1 FROM questionnaire_versions v WHERE v.questionnaire_id = q.id AND v.status = 'Published'))
        """;

    /// <summary><see cref="OpenDraftSaveSql"/> for several autosaves at once (see <see cref="GuardedSubmitManySql"/>).</summary>
    private static HotSql OpenDraftSaveManySql()
    {
        (string Name, string Type)[] parameters =
            [("@data", "text"), ("@page", "integer"), ("@now", "text"), ("@questionnaireId", "bigint"), ("@me", "bigint"), ("@org", "bigint"), ("@revision", "bigint")];
        return new($"""
            WITH t AS (
                SELECT t.*, {PerSet(LatestResponse)} AS target
                  FROM {Unnest(parameters)}
                 WHERE {PerSet(DraftOpen)}
            )
            UPDATE responses SET data_json = t.p_data, current_page = t.p_page, revision = responses.revision + 1, updated_at = t.p_now
              FROM t
             WHERE responses.id = t.target AND {PerSet(DraftRow)}
            RETURNING responses.revision, t.p_ord
            """, [.. parameters.Select(p => p.Name)]);
    }

    /// <summary>
    /// A statement's text for <see cref="HotSql.Many"/>: each parameter becomes the column of the set's row (<c>@me</c>
    /// → <c>t.p_me</c>, see <see cref="Unnest"/>), or with <paramref name="prefix"/> "" the bare column.
    /// </summary>
    private static string PerSet(string sql, string prefix = "t.") => ParameterName().Replace(sql, m => prefix + SetColumn(m.Value));

    private static string SetColumn(string parameter) => "p_" + parameter[1..].ToLowerInvariant();

    /// <summary>The sets of values of a <see cref="HotSql.Many"/> as rows <c>t</c>: a column <c>p_name</c> per parameter (an array of the type given), and <c>p_ord</c>, the set's place.</summary>
    private static string Unnest((string Name, string Type)[] parameters) =>
        $"unnest({string.Join(", ", parameters.Select(p => $"{p.Name}::{p.Type}[]"))}) WITH ORDINALITY AS t({string.Join(", ", parameters.Select(p => SetColumn(p.Name)))}, p_ord)";

    /// <summary>
    /// The respondent's latest response to the questionnaire (the one the full path reads), as a subquery. The statements
    /// that write it find the row by this id alone: their other conditions on the row are written <c>+column = …</c>,
    /// which keeps them from being used as index conditions (in both databases) — PostgreSQL otherwise took the
    /// organisation's responses to the version (ix_responses_version_organisation) when its estimates tied, and read
    /// every one of them to find the row.
    /// </summary>
    private const string LatestResponse = """
        (SELECT x.id FROM responses x JOIN questionnaire_versions xv ON xv.id = x.questionnaire_version_id
                      WHERE xv.questionnaire_id = @questionnaireId AND x.respondent_user_id = @me AND x.organisation_id = @org
                      ORDER BY x.id DESC LIMIT 1)
        """;

    /// <summary>The start of a condition (closed by the caller after its own checks): the questionnaire is visible to the organisation in a round open now.</summary>
    private const string OpenToOrganisation = """
        EXISTS (SELECT 1 FROM questionnaires q
                         JOIN rounds r ON r.id = q.round_id
                         JOIN round_organisations ro ON ro.round_id = r.id AND ro.organisation_id = @org
                        WHERE q.id = @questionnaireId AND r.status = 'Open' AND r.closes_at > @now
                          AND COALESCE(q.template, '') <> 'IMPORT'
        """;

    /// <summary>Parameters of <see cref="GuardedSubmitSql"/> (declared first: static fields start in order).</summary>
    private static readonly string[] GuardedSubmitParameters =
        ["@data", "@page", "@now", "@questionnaireId", "@me", "@org", "@revision", "@versionId", "@title", "@roundTitle", "@closesAt", "@timeZone"];

    /// <summary>The conditions of <see cref="GuardedSubmitSql"/> on the response row itself (found by id: see <see cref="LatestResponse"/>).</summary>
    private const string GuardedRow =
        "+respondent_user_id = @me AND +organisation_id = @org AND revision = @revision AND +questionnaire_version_id = @versionId";

    /// <summary>
    /// The conditions of <see cref="GuardedSubmitSql"/> beyond the row: the round open to the organisation, the
    /// remembered questionnaire's title, round title, closing time and time zone still the database's, the version published and still the latest (a copy remembered from before a newer version was published takes the full path, which tells a draft to move).
    /// </summary>
    private const string GuardedRound = $"""
        {OpenToOrganisation}
                          AND q.title = @title AND r.title = @roundTitle AND r.closes_at = @closesAt AND r.time_zone = @timeZone
                          AND EXISTS (SELECT 1 FROM questionnaire_versions v WHERE v.id = @versionId AND v.questionnaire_id = q.id AND v.status = 'Published'
                                         AND NOT EXISTS (SELECT 1 FROM questionnaire_versions nv
                                                          WHERE nv.questionnaire_id = q.id AND nv.status = 'Published' AND nv.version > v.version)))
        """;

    /// <summary>
    /// <see cref="SubmitSql"/> with the full path's checks in its WHERE clause (see <see cref="GuardedSubmitAsync"/>),
    /// and the remembered questionnaire's title, round title, closing time and time zone compared with the database's.
    /// </summary>
    private static readonly HotSql GuardedSubmitSql = new($"""
        UPDATE responses SET data_json = @data, current_page = @page, status = 'Submitted', submitted_at = @now,
               revision = revision + 1, updated_at = @now
         WHERE id = {LatestResponse}
           AND {GuardedRow}
           AND {GuardedRound}
        RETURNING id, revision,
                  (SELECT COALESCE(MAX(r.revision_no), 0) + 1 FROM response_revisions r WHERE r.response_id = responses.id) AS revision_no
        """, GuardedSubmitParameters);

    /// <summary>
    /// The revision, audit entry and receipt of each row of <c>s</c> (the submissions written, with their id and
    /// revision_no): the second half of <see cref="GuardedSubmitAllSql"/>. The revision number is only known in the
    /// statement: the audit entry's details and the receipt's text are completed here (<see cref="ReceiptText"/>, the
    /// text before and after the number).
    /// </summary>
    private const string GuardedInserts = $"""
        revision AS (
            INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by, idempotency_key)
            SELECT id, revision_no, @data, @now, @me, @key FROM s
        ), audit AS (
            INSERT INTO audit_log (occurred_at, actor_user_id, actor_email, action, target, details, ip)
            SELECT @AuditAt, @AuditActorId, @AuditActorEmail,
                   CASE WHEN revision_no = 1 THEN '{RespondAudit.Submitted}' ELSE '{RespondAudit.Amended}' END,
                   'response:' || id, @AuditDetails || revision_no, @AuditIp FROM s
        ), receipt AS (
            INSERT INTO mail_outbox (recipient, subject, text_body, html_body, created_at, next_attempt_at)
            SELECT @MailTo, @MailSubject, @MailBefore || revision_no || @MailAfter, NULL, @now, @now FROM s
        )
        """;

    /// <summary>The parameters of <see cref="GuardedSubmitAllSql"/> and the PostgreSQL types of their values.</summary>
    private static readonly (string Name, string Type)[] GuardedSubmitAllParameters =
    [
        ("@data", "text"), ("@page", "integer"), ("@now", "text"), ("@key", "text"), ("@questionnaireId", "bigint"), ("@me", "bigint"),
        ("@org", "bigint"), ("@revision", "bigint"), ("@versionId", "bigint"), ("@title", "text"), ("@roundTitle", "text"),
        ("@closesAt", "text"), ("@timeZone", "text"), ("@AuditAt", "text"), ("@AuditActorId", "bigint"), ("@AuditActorEmail", "text"),
        ("@AuditDetails", "text"), ("@AuditIp", "text"), ("@MailTo", "text"), ("@MailSubject", "text"), ("@MailBefore", "text"),
        ("@MailAfter", "text"),
    ];

    /// <summary>
    /// PostgreSQL: <see cref="GuardedSubmitSql"/> and <see cref="RevisionSql"/>'s three rows as one statement
    /// (data-modifying WITH queries), so a submission is one round trip in the writer's lane. Several of them in one
    /// batch of the writer are one statement (<see cref="GuardedSubmitManySql"/>).
    /// </summary>
    private static readonly HotSql GuardedSubmitAllSql = new($"""
        WITH s AS (
        {GuardedSubmitSql.Sql}
        ), {GuardedInserts}
        SELECT id, revision, revision_no FROM s
        """, [.. GuardedSubmitAllParameters.Select(p => p.Name)]) { Many = GuardedSubmitManySql() };

    /// <summary>
    /// <see cref="GuardedSubmitAllSql"/> for several submissions at once (ResponseWriter: those of one batch): each
    /// parameter an array with a value per submission, the same conditions and rows per submission, built from the same
    /// text (each <c>@name</c> becomes that submission's value). Returns the written submissions' rows and their place
    /// in the arrays (1-based). Two of them for the same response: one is written, the other finds nothing (as one after
    /// the other would), and its full path answers.
    /// </summary>
    private static HotSql GuardedSubmitManySql() =>
        new($"""
            WITH t AS (
                SELECT t.*, {PerSet(LatestResponse)} AS target
                  FROM {Unnest(GuardedSubmitAllParameters)}
                 WHERE {PerSet(GuardedRound)}
            ), s AS (
                UPDATE responses SET data_json = t.p_data, current_page = t.p_page, status = 'Submitted', submitted_at = t.p_now,
                       revision = responses.revision + 1, updated_at = t.p_now
                  FROM t
                 WHERE responses.id = t.target AND {PerSet(GuardedRow)}
                RETURNING responses.id, responses.revision,
                          (SELECT COALESCE(MAX(r.revision_no), 0) + 1 FROM response_revisions r WHERE r.response_id = responses.id) AS revision_no, t.*
            ), {PerSet(GuardedInserts, "")}
            SELECT id, revision, revision_no, p_ord FROM s
            """, [.. GuardedSubmitAllParameters.Select(p => p.Name)]);

    [GeneratedRegex(@"@\w+")]
    private static partial Regex ParameterName();

    private static readonly HotSql SaveSql = new("""
        UPDATE responses SET data_json = @data, current_page = @page, revision = revision + 1, updated_at = @now
         WHERE id = @id AND respondent_user_id = @me AND organisation_id = @org AND revision = @revision
        RETURNING revision
        """, "@data", "@page", "@now", "@id", "@me", "@org", "@revision");

    private static readonly HotSql FirstSubmitSql = new($"""
        INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, current_page, data_json,
                               submitted_at, created_at, updated_at)
        VALUES (@versionId, @org, @me, 'Submitted', 1, @page, @data, @now, @now, @now)
        ON CONFLICT (questionnaire_version_id, respondent_user_id, organisation_id) WHERE source = 'Form' DO NOTHING
        RETURNING id, revision, 1 AS revision_no
        """, "@versionId", "@org", "@me", "@page", "@data", "@now");

    private static readonly HotSql SubmitSql = new($"""
        UPDATE responses SET data_json = @data, current_page = @page, status = 'Submitted', submitted_at = @now,
               revision = revision + 1, updated_at = @now
         WHERE id = @id AND respondent_user_id = @me AND organisation_id = @org AND revision = @revision
        RETURNING id, revision,
                  (SELECT COALESCE(MAX(r.revision_no), 0) + 1 FROM response_revisions r WHERE r.response_id = responses.id) AS revision_no
        """, "@data", "@page", "@now", "@id", "@me", "@org", "@revision");

    private static readonly HotSql RevisionSql = new($"""
        INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by, idempotency_key)
        VALUES (@responseId, @revisionNo, @data, @now, @me, @key);
        {AuditLog.InsertSql};
        {MailOutbox.InsertSql}
        """, ["@responseId", "@revisionNo", "@data", "@now", "@me", "@key", .. AuditLog.ParameterNames, .. MailOutbox.ParameterNames]);

    /// <summary>
    /// What the page's filters did before a handler: the antiforgery token (header or form field) must be valid, and
    /// an account that must change its password or set up two-factor sign-in is sent there first.
    /// </summary>
    private async Task<IResult?> RefusedAsync(HttpContext http, CurrentUser me)
    {
        if (!await antiforgery.IsRequestValidAsync(http)) return Problem(400, "request.antiforgery", L["The answers could not be saved."]);
        if (await AccountStateFilter.PendingPageAsync(http, db, me) is { } page)
            return Results.Redirect(links.GetPathByPage(http, page) ?? page);
        return null;
    }

    /// <summary>
    /// The body, at most <see cref="RoundsOptions.MaxAnswerBytes"/> (checked before reading when the length is sent,
    /// while reading when it is not): 413 when larger, 415 when not JSON, 400 when malformed.
    /// </summary>
    private async Task<(Body? Body, IResult? Invalid)> ReadAsync(HttpContext http)
    {
        var limit = rounds.Value.MaxAnswerBytes;
        var request = http.Request;
        if (request.ContentLength > limit) return (null, TooLarge(limit));
        if (!request.HasJsonContentType()) return (null, Problem(415, "request.invalid", L["The answers must be a JSON object."]));

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 16 * 1024, limit) + 1);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit) return (null, TooLarge(limit));
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var n = await request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted);
                if (n == 0) break;
                length += n;
                if (length > limit) return (null, TooLarge(limit));
            }
            return Parse(buffer.AsMemory(0, length)) is { } body ? (body, null) : (null, BadBody());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The body as the page handlers' model binding read it (web defaults: property names in any case, numbers also as
    /// strings, other properties ignored); null when it is not a JSON object or a field has the wrong type. The answers
    /// are kept as stored: compact JSON with letters (also Serbian ones) and punctuation unescaped.
    /// </summary>
    private static Body? Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            string? data = null, key = null;
            int page = 0;
            long revision = 0;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name.Equals("data", StringComparison.OrdinalIgnoreCase))
                    data = p.Value.ValueKind == JsonValueKind.Object ? JsonSerializer.Serialize(p.Value, Readable) : null;
                else if (p.Name.Equals("currentPage", StringComparison.OrdinalIgnoreCase))
                {
                    if (!TryNumber(p.Value, out page)) return null;
                }
                else if (p.Name.Equals("revision", StringComparison.OrdinalIgnoreCase))
                {
                    if (!TryNumber(p.Value, out revision)) return null;
                }
                else if (p.Name.Equals("idempotencyKey", StringComparison.OrdinalIgnoreCase))
                {
                    if (p.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)) return null;
                    key = p.Value.GetString();
                }
            }
            return new Body(data, page, revision, key);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryNumber<T>(JsonElement value, out T number) where T : struct, System.Numerics.IBinaryInteger<T>
    {
        number = default;
        return value.ValueKind switch
        {
            JsonValueKind.Number => T.TryParse(value.GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number),
            JsonValueKind.String => T.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    /// <summary>A locked or full database is a 503 the script retries after (<see cref="TransientDatabaseFailures"/>), never a 500.</summary>
    private async Task<IResult> Guarded(HttpContext http, Func<Task<IResult>> handle)
    {
        try
        {
            return await handle();
        }
        catch (Exception ex) when (TransientDatabaseFailures.IsTransient(ex))
        {
            TransientDatabaseFailures.Defer(http, ex, logger);
            return Results.Problem(TransientDatabaseFailures.Problem(L));
        }
    }

    /// <summary>
    /// The receipt of a submission at <paramref name="now"/>, in the respondent's language (the request's culture). Its
    /// texts are looked up here, before the write: the group writer's one loop, which every write waits for, only
    /// puts in the revision number.
    /// </summary>
    private ReceiptText Receipt(HttpContext http, RespondSql.QuestionnaireRow q, AnswerValidator.CompiledSchema schema, CurrentUser me, DateTimeOffset now)
    {
        var culture = CultureInfo.CurrentCulture;
        var request = http.Request;
        // The questionnaire as the respondent's form names it: a template's title in their language (SurveyTitle).
        var title = SurveyTitle.For(q.Title, schema.Titles, CultureInfo.CurrentUICulture);
        var key = new ReceiptKey(q, title, culture.Name, CultureInfo.CurrentUICulture.Name, request.Scheme, request.Host.Value ?? "", request.PathBase.Value ?? "");
        if (!_receiptTexts.TryGetValue(key, out var texts))
        {
            var link = publicLinks.Absolute(request, links.GetPathByPage(http, "/Respond/Form", null, new { id = q.Id })!);
            texts = new ReceiptTexts(
                L["Receipt: your answers to \"{0}\"", title].Value,
                L["We received your organisation's answers to \"{0}\" in the round \"{1}\".", title, q.RoundTitle].Value,
                L["Revision {0}, submitted at {1} ({2})."].Value,
                L["You can amend or withdraw your answers until the round closes on {0}.", q.LocalDeadline].Value + "\n\n" + L["Open your answers:"].Value + "\n" + link);
            if (_receiptTexts.Count >= MaxQuestionnaires) _receiptTexts.Clear();
            _receiptTexts[key] = texts;
        }
        // The revision number goes where the translation puts it: the line is formatted with a marker there, and cut.
        var revisionLine = string.Format(culture, texts.RevisionLine, RevisionMarker, Formats.DateTime(now, q.TimeZone, culture), q.TimeZone);
        var cut = revisionLine.IndexOf(RevisionMarker, StringComparison.Ordinal);
        if (cut < 0) return new ReceiptText(me.Email, texts.Subject, string.Join("\n\n", texts.Received, revisionLine, texts.AmendAndOpen), null);
        return new ReceiptText(me.Email, texts.Subject, texts.Received + "\n\n" + revisionLine[..cut],
            revisionLine[(cut + RevisionMarker.Length)..].Replace(RevisionMarker, "", StringComparison.Ordinal) + "\n\n" + texts.AmendAndOpen);
    }

    /// <summary>
    /// The receipt's texts but its revision line, by questionnaire (as read: a renamed one is another key), language and
    /// the address the request came to (the link): looked up and formatted once, not at every submission. Bounded like
    /// <see cref="_questionnaires"/>.
    /// </summary>
    private readonly ConcurrentDictionary<ReceiptKey, ReceiptTexts> _receiptTexts = new();

    private sealed record ReceiptKey(RespondSql.QuestionnaireRow Questionnaire, string Title, string Culture, string UiCulture, string Scheme, string Host, string PathBase);

    private sealed record ReceiptTexts(string Subject, string Received, string RevisionLine, string AmendAndOpen);

    /// <summary>A private-use character, put only into the revision line (a translation, a date and a time zone name from a fixed list).</summary>
    private const string RevisionMarker = "\uE000";

    /// <summary>A receipt whose text is <see cref="Before"/>, the revision number, <see cref="After"/> (no number where the translation has none: <see cref="After"/> null).</summary>
    private sealed record ReceiptText(string To, string Subject, string Before, string? After)
    {
        public MailMessage Mail(long revisionNo) =>
            new(To, Subject, After is null ? Before : Before + revisionNo.ToString(CultureInfo.InvariantCulture) + After);
    }

    private IResult Submitted(RespondSql.ResponseRow r, CurrentUser me) => Results.Json(new
    {
        status = r.Status,
        revision = r.Revision,
        revisionNo = r.LastRevisionNo,
        submittedAt = r.SubmittedAt,
        message = L["Submitted: revision {0} received. A receipt was sent to {1}.", r.LastRevisionNo ?? 1, me.Email].Value,
        badge = $"{L["Progress." + ResponseRules.Progress(r.Status)].Value} · {L["Revision {0}", r.LastRevisionNo ?? 1].Value}",
    });

    private async Task<IResult> ConflictAsync(long id, long me, long org, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await ConflictAsync(conn, id, me, org, ct);
    }

    private async Task<IResult> ConflictAsync(DbConnection conn, long id, long me, long org, CancellationToken ct)
    {
        var current = await RespondSql.ResponseAsync(conn, id, me, org, ct);
        return Problem(409, ResponseRefusals.RevisionConflict,
            L["Your answers were changed on another device or tab since this page loaded."], new Dictionary<string, object?>
            {
                ["serverRevision"] = current?.Revision ?? 0,
                ["serverPage"] = current?.CurrentPage ?? 0,
                ["serverStatus"] = current?.Status,
                ["serverUpdatedAt"] = current?.UpdatedAt,
                ["serverData"] = JsonSerializer.Deserialize<JsonElement>(current?.DataJson ?? "{}"),
            });
    }

    private IResult Refused(string refusal) => Problem(409, refusal, FormModel.RefusalMessage(L, refusal));

    /// <summary>A 404 the script can read; the same for "does not exist" and "not yours", so ids reveal nothing.</summary>
    private IResult NotFoundProblem() => Problem(404, "not_found", L["This questionnaire is not open to your organisation."]);

    private IResult BadBody() => Problem(400, "request.invalid", L["The answers must be a JSON object."]);

    private IResult TooLarge(int limit) => Problem(StatusCodes.Status413PayloadTooLarge, "request.too_large",
        L["Your answers are too large to save (at most {0} KB). Shorten the longest texts.", limit / 1024]);

    private static IResult Problem(int status, string code, string title, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Type = "urn:consultation:" + code };
        problem.Extensions["code"] = code;
        foreach (var (k, v) in extensions ?? new Dictionary<string, object?>()) problem.Extensions[k] = v;
        return Results.Problem(problem);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{8,100}$")]
    private static partial Regex IdempotencyKeyPattern();
}
