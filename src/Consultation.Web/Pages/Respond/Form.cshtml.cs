using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Consultation.Core.Localization;
using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Mail;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Pages.Rounds;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Respond;

/// <summary>
/// One questionnaire as its respondent fills it in (issue 3, "Responding"): the published SurveyJS form with the
/// respondent's draft, autosaved through <see cref="OnPostSaveAsync"/> under optimistic concurrency on
/// <c>responses.revision</c>; <see cref="OnPostSubmitAsync"/> re-validates on the server and keeps every
/// submission as a numbered revision; withdrawal until the round closes. Everything is scoped to the signed-in
/// respondent and their organisation in the SQL itself: a foreign id is a 404.
/// </summary>
[AnswerSizeLimit]
public sealed partial class FormModel(Db db, CurrentUser me, AuditLog audit, MailOutbox outbox, RichText richText, TimeProvider clock, ResponseWriter writer,
    CompiledSchemas schemas, IStringLocalizer<SharedResource> L) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public string? ErrorMessage { get; private set; }
    public RespondSql.QuestionnaireRow Questionnaire { get; private set; } = new();
    public RespondSql.ResponseRow? Mine { get; private set; }
    public string SchemaJson { get; private set; } = "{}";
    public bool IsOpen { get; private set; }
    public bool HasUnsubmittedChanges => Mine is { LastRevisionJson: { } last } r && !JsonEquals(last, r.DataJson);

    /// <summary>SurveyJS locale of the page's UI culture ("" = English; see <see cref="Languages.SurveyLocale"/>).</summary>
    public string SurveyLocale => Languages.Of(CultureInfo.CurrentUICulture) is var l && l == Languages.English ? "" : Languages.SurveyLocale(l);

    /// <summary>What the script starts from: the server's copy of the answers and where the respondent was.</summary>
    public string StateJson => JsonSerializer.Serialize(new
    {
        revision = Mine?.Revision ?? 0,
        currentPage = Mine?.CurrentPage ?? 0,
        status = Mine?.Status,
        lastRevisionNo = Mine?.LastRevisionNo,
        readOnly = !IsOpen,
        data = JsonSerializer.Deserialize<JsonElement>(Mine?.DataJson ?? "{}"),
    });

    public sealed class SaveRequest
    {
        public JsonElement Data { get; set; }
        public int CurrentPage { get; set; }
        public long Revision { get; set; }
    }

    public sealed class SubmitRequest
    {
        public JsonElement Data { get; set; }
        public int CurrentPage { get; set; }
        public long Revision { get; set; }
        public string? IdempotencyKey { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (me.OrganisationId is not { } org) return NotFound();
        await using var conn = await db.OpenAsync(ct);
        return await LoadAsync(conn, id, org, ct) ? Page() : NotFound();
    }

    /// <summary>Autosave of the draft: JSON in, <c>{ revision, savedAt }</c> out; 409 with the server's copy on a stale revision.</summary>
    public async Task<IActionResult> OnPostSaveAsync(long id, [FromBody] SaveRequest? body, CancellationToken ct)
    {
        if (me.OrganisationId is not { } org) return NotFoundProblem();
        if (body is null || !ModelState.IsValid) return BadBody();
        // Normalized is null unless the answers are an object, and is itself compact valid JSON: only its size is left to check.
        var data = Normalized(body.Data);
        if (data is not { Length: > 0 and <= AnswerValidator.MaxDataLength }) return BadBody();

        // One statement, kept compiled: the questionnaire as the respondent's organisation may see it, and their
        // response's state. No connection is held while the write waits for the group writer: it takes its own from
        // the same pool, and on PostgreSQL (a bounded pool) requests holding theirs while waiting would starve it.
        if (await RespondSql.TargetAsync(db, id, me.Id, org, ct) is not (var q, var response)) return NotFoundProblem();
        var now = clock.GetUtcNow();
        if (ResponseRules.Refusal(ResponseAction.SaveDraft, q.Status, q.ClosesAt, response?.Status, now) is { } refusal)
            return Refused(refusal, q);

        var page = Math.Max(0, body.CurrentPage);
        long? revision;
        if (response is null)
        {
            if (body.Revision != 0) return await ConflictAsync(id, org, ct);
            // The unique index (version, respondent) turns a simultaneous first save on another device into no row.
            var args = new { q.PublishedVersionId, org, Me = me.Id, page, data, now };
            revision = await writer.WriteAsync((c, tx) => c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
                INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, current_page, data_json, created_at, updated_at)
                VALUES (@PublishedVersionId, @org, @Me, 'Draft', 1, @page, @data, @now, @now)
                ON CONFLICT DO NOTHING RETURNING revision
                """, args, tx)), ct);
        }
        else
        {
            var args = new { data, page, now, Id = response.ResponseId, Me = me.Id, org, body.Revision };
            revision = await writer.WriteAsync((c, tx) => c.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
                UPDATE responses SET data_json = @data, current_page = @page, revision = revision + 1, updated_at = @now
                 WHERE id = @Id AND respondent_user_id = @Me AND organisation_id = @org AND revision = @Revision
                RETURNING revision
                """, args, tx)), ct);
        }
        if (revision is null) return await ConflictAsync(id, org, ct);
        return new JsonResult(new { revision, savedAt = now });
    }

    /// <summary>
    /// Submission: validated against the published schema, copied to <c>response_revisions</c> as the next
    /// revision, audited and acknowledged by mail. The client's idempotency key makes a retry return the first
    /// result instead of a second revision.
    /// </summary>
    public async Task<IActionResult> OnPostSubmitAsync(long id, [FromBody] SubmitRequest? body, CancellationToken ct)
    {
        if (me.OrganisationId is not { } org) return NotFoundProblem();
        if (body is null || !ModelState.IsValid) return BadBody();
        if (body.IdempotencyKey is not { } key || !IdempotencyKeyPattern().IsMatch(key))
            return Problem(400, "request.invalid", L["The request is missing a valid idempotency key."], null);
        var data = Normalized(body.Data);

        // As in OnPostSaveAsync: one kept-compiled statement, and no connection held while the write waits.
        if (await RespondSql.TargetAsync(db, id, me.Id, org, ct) is not (var q, var expected)) return NotFoundProblem();
        // A retry of this very submission answers what the first one committed (read in full only then).
        if (expected?.IdempotencyKey == key)
        {
            await using var conn = await db.OpenAsync(ct);
            if (await RespondSql.ResponseAsync(conn, id, me.Id, org, ct) is { } first && first.IdempotencyKey == key) return Submitted(first);
        }

        var now = clock.GetUtcNow();
        if (ResponseRules.Refusal(ResponseAction.Submit, q.Status, q.ClosesAt, expected?.Status, now) is { } refusal)
            return Refused(refusal, q);
        if (expected is not null && expected.Revision != body.Revision) return await ConflictAsync(id, org, ct);

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

        var page = Math.Max(0, body.CurrentPage);
        // The key is unique across responses. A key used for another response makes the write change nothing (NOT
        // EXISTS), so the write needs no savepoint of its own (ResponseWriter); a simultaneous use of the same key on
        // another instance still fails on the unique index, and is answered the same way below.
        Written? written;
        try
        {
            written = await writer.WriteAsync(async (c, tx) =>
            {
                // The number of the revision it makes comes back with the row (the row is ours until the commit).
                var row = expected is null
                    ? await c.QuerySingleOrDefaultAsync<Written>(new CommandDefinition("""
                        INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, current_page, data_json,
                                               submitted_at, idempotency_key, created_at, updated_at)
                        SELECT @versionId, @org, @Me, 'Submitted', 1, @page, @data, @now, @key, @now, @now
                         WHERE NOT EXISTS (SELECT 1 FROM responses k WHERE k.idempotency_key = @key)
                        ON CONFLICT (questionnaire_version_id, respondent_user_id, organisation_id) WHERE source = 'Form' DO NOTHING
                        RETURNING id, revision, 1 AS revision_no
                        """, new { versionId, org, Me = me.Id, page, data, now, key }, tx))
                    : await c.QuerySingleOrDefaultAsync<Written>(new CommandDefinition("""
                        UPDATE responses SET data_json = @data, current_page = @page, status = 'Submitted', submitted_at = @now,
                               idempotency_key = @key, revision = revision + 1, updated_at = @now
                         WHERE id = @Id AND respondent_user_id = @Me AND organisation_id = @org AND revision = @Revision
                           AND NOT EXISTS (SELECT 1 FROM responses k WHERE k.idempotency_key = @key AND k.id <> @Id)
                        RETURNING id, revision,
                                  (SELECT COALESCE(MAX(r.revision_no), 0) + 1 FROM response_revisions r WHERE r.response_id = responses.id) AS revision_no
                        """, new { data, page, now, key, Id = expected.ResponseId, Me = me.Id, org, body.Revision }, tx));
                // Nothing written: our own retry got there first (same key), another device saved meanwhile, or the
                // key belongs to another response. Told apart below, outside the group transaction.
                if (row is null) return null;
                // The revision, its audit entry and the receipt (sent after the commit, MailOutbox) in one command:
                // on PostgreSQL one round trip instead of three.
                var args = new DynamicParameters(new { row.Id, row.RevisionNo, data, now, Me = me.Id });
                args.AddDynamicParams(audit.Parameters(row.RevisionNo == 1 ? RespondAudit.Submitted : RespondAudit.Amended, $"response:{row.Id}",
                    $"questionnaire:{id} revision {row.RevisionNo}"));
                args.AddDynamicParams(outbox.Parameters(ReceiptMail(q, row.RevisionNo, now)));
                await c.ExecuteAsync(new CommandDefinition($"""
                    INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by)
                    VALUES (@Id, @RevisionNo, @data, @now, @Me);
                    {AuditLog.InsertSql};
                    {MailOutbox.InsertSql}
                    """, args, tx));
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
            if (current?.IdempotencyKey == key) return Submitted(current);
            if (await again.ExecuteScalarAsync<long?>(new CommandDefinition(
                    "SELECT id FROM responses WHERE idempotency_key = @key", new { key }, cancellationToken: ct)) is not null)
                return Problem(400, "request.invalid", L["The request is missing a valid idempotency key."], null);
            return await ConflictAsync(again, id, org, ct);
        }

        // Exactly what this submission committed (a re-read could already show a later change from another device).
        var response = new RespondSql.ResponseRow
        {
            Id = written.Id, QuestionnaireVersionId = versionId, Status = ResponseStatus.Submitted, Revision = written.Revision,
            CurrentPage = page, DataJson = data!, SubmittedAt = now, IdempotencyKey = key, UpdatedAt = now,
            LastRevisionNo = written.RevisionNo, LastRevisionJson = data,
        };
        outbox.Wake();
        return Submitted(response);
    }

    /// <summary>Withdraws a submitted response (a plain form post: works without script). Its revisions are kept.</summary>
    public async Task<IActionResult> OnPostWithdrawAsync(long id, CancellationToken ct)
    {
        if (me.OrganisationId is not { } org) return NotFound();
        await using var conn = await db.OpenAsync(ct);
        if (!await LoadAsync(conn, id, org, ct)) return NotFound();
        var now = clock.GetUtcNow();
        if (ResponseRules.Refusal(ResponseAction.Withdraw, Questionnaire.Status, Questionnaire.ClosesAt, Mine?.Status, now) is { } refusal)
        {
            ErrorMessage = RefusalMessage(refusal, Questionnaire);
            return Page();
        }
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var n = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE responses SET status = 'Withdrawn', updated_at = @now
                 WHERE id = @Id AND respondent_user_id = @Me AND organisation_id = @org AND status = 'Submitted'
                """, new { now, Mine!.Id, Me = me.Id, org }, tx, cancellationToken: ct));
            if (n == 0)
            {
                await tx.RollbackAsync(ct);
                ErrorMessage = L["Only submitted answers can be withdrawn."];
                await LoadAsync(conn, id, org, ct);
                return Page();
            }
            await audit.WriteAsync(RespondAudit.Withdrawn, $"response:{Mine.Id}", $"questionnaire:{id}", conn, tx, ct: ct);
            await tx.CommitAsync(ct);
        }
        StatusMessage = L["Your answers are withdrawn. They no longer count; you can submit them again until the round closes."];
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(DbConnection conn, long id, long org, CancellationToken ct)
    {
        var q = await RespondSql.QuestionnaireAsync(conn, id, me.Id, org, ct);
        if (q is null) return false;
        Questionnaire = q;
        Mine = await RespondSql.ResponseAsync(conn, id, me.Id, org, ct);
        // Sanitized again before showing: a version published under an older rule set is still safe to render.
        SchemaJson = richText.SanitizeSurveyJson(await RespondSql.PublishedSchemaAsync(conn, id, Mine?.QuestionnaireVersionId ?? q.PublishedVersionId, ct) ?? "{}");
        IsOpen = q.IsOpenAt(clock.GetUtcNow());
        return true;
    }

    /// <summary>The receipt of a submission, in the respondent's language (the request's culture).</summary>
    private MailMessage ReceiptMail(RespondSql.QuestionnaireRow q, long revisionNo, DateTimeOffset submittedAt)
    {
        var link = Url.Page("/Respond/Form", null, new { id = q.Id }, Request.Scheme)!;
        var submitted = Formats.DateTime(submittedAt, q.TimeZone, CultureInfo.CurrentCulture);
        return new MailMessage(me.Email,
            L["Receipt: your answers to \"{0}\"", q.Title],
            string.Join("\n\n",
                L["We received your organisation's answers to \"{0}\" in the round \"{1}\".", q.Title, q.RoundTitle],
                L["Revision {0}, submitted at {1} ({2}).", revisionNo, submitted, q.TimeZone],
                L["You can amend or withdraw your answers until the round closes on {0}.", q.LocalDeadline],
                L["Open your answers:"] + "\n" + link));
    }

    private JsonResult Submitted(RespondSql.ResponseRow r) => new(new
    {
        status = r.Status,
        revision = r.Revision,
        revisionNo = r.LastRevisionNo,
        submittedAt = r.SubmittedAt,
        message = L["Submitted: revision {0} received. A receipt was sent to {1}.", r.LastRevisionNo ?? 1, me.Email].Value,
        badge = $"{L["Progress." + ResponseRules.Progress(r.Status)].Value} · {L["Revision {0}", r.LastRevisionNo ?? 1].Value}",
    });

    private async Task<IActionResult> ConflictAsync(long id, long org, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await ConflictAsync(conn, id, org, ct);
    }

    private async Task<IActionResult> ConflictAsync(DbConnection conn, long id, long org, CancellationToken ct)
    {
        var current = await RespondSql.ResponseAsync(conn, id, me.Id, org, ct);
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

    private ObjectResult Refused(string refusal, RespondSql.QuestionnaireRow q) =>
        Problem(409, refusal, RefusalMessage(refusal, q), null);

    private string RefusalMessage(string refusal, RespondSql.QuestionnaireRow q) => refusal switch
    {
        ResponseRefusals.RoundClosed => L["The round is closed. Your answers are kept but can no longer change."],
        ResponseRefusals.NotSubmitted => L["Only submitted answers can be withdrawn."],
        _ => L["The round is not open."],
    };

    /// <summary>A 404 the script can read; the same for "does not exist" and "not yours", so ids reveal nothing.</summary>
    private ObjectResult NotFoundProblem() => Problem(404, "not_found", L["This questionnaire is not open to your organisation."], null);

    private ObjectResult BadBody() => Problem(400, "request.invalid", L["The answers must be a JSON object."], null);

    private static ObjectResult Problem(int status, string code, string title, IDictionary<string, object?>? extensions)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Type = "urn:consultation:" + code };
        problem.Extensions["code"] = code;
        foreach (var (k, v) in extensions ?? new Dictionary<string, object?>()) problem.Extensions[k] = v;
        return new ObjectResult(problem) { StatusCode = status, ContentTypes = { "application/problem+json" } };
    }

    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The answers as stored: compact JSON with letters (also Serbian ones) and punctuation unescaped; null unless an object.</summary>
    private static string? Normalized(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object ? JsonSerializer.Serialize(data, Readable) : null;

    private static bool JsonEquals(string a, string b)
    {
        using var x = JsonDocument.Parse(a);
        using var y = JsonDocument.Parse(b);
        return JsonElement.DeepEquals(x.RootElement, y.RootElement);
    }

    /// <summary>What the submission's write did: the response row and revision it wrote.</summary>
    private sealed record Written
    {
        public long Id { get; init; }
        public long Revision { get; init; }
        public long RevisionNo { get; init; }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{8,100}$")]
    private static partial Regex IdempotencyKeyPattern();
}
