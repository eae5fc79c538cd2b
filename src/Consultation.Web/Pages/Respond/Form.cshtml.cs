using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Consultation.Core.Localization;
using Consultation.Core.Responses;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Respond;

/// <summary>
/// One questionnaire as its respondent fills it in (issue 3, "Responding"): the published SurveyJS form with the
/// respondent's draft, autosaved and submitted by its script through <see cref="FormEndpoints"/> (optimistic
/// concurrency on <c>responses.revision</c>, every submission kept as a numbered revision); withdrawal, a plain form
/// post, until the round closes. Everything is scoped to the signed-in respondent and their organisation in the SQL
/// itself: a foreign id is a 404.
/// </summary>
public sealed class FormModel(Db db, CurrentUser me, AuditLog audit, RichText richText, TimeProvider clock, CompiledSchemas schemas,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public string? ErrorMessage { get; private set; }
    public RespondSql.QuestionnaireRow Questionnaire { get; private set; } = new();
    public RespondSql.ResponseRow? Mine { get; private set; }
    public string SchemaJson { get; private set; } = "{}";
    /// <summary>The questionnaire's title in the reader's language where the definition has it (<see cref="Consultation.Core.Questionnaires.SurveyTitle"/>).</summary>
    public string Title { get; private set; } = "";
    public bool IsOpen { get; private set; }
    /// <summary>When the version the draft was last moved to was published (a draft never submitted, moved at least once); null otherwise.</summary>
    public DateTimeOffset? MovedToVersionPublishedAt { get; private set; }
    /// <summary>Answers of this draft that no longer have a question after its moves: (question as titled where typed, answer as text).</summary>
    public IReadOnlyList<(string Question, string Answer)> OrphanedAnswers { get; private set; } = [];
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

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (me.OrganisationId is not { } org) return NotFound();
        await using var conn = await db.OpenAsync(ct);
        return await LoadAsync(conn, id, org, ct, moveDraft: true) ? Page() : NotFound();
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
            ErrorMessage = RefusalMessage(L, refusal);
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

    private async Task<bool> LoadAsync(DbConnection conn, long id, long org, CancellationToken ct, bool moveDraft = false)
    {
        var q = await RespondSql.QuestionnaireAsync(conn, id, me.Id, org, ct);
        if (q is null) return false;
        Questionnaire = q;
        Mine = await RespondSql.ResponseAsync(conn, id, me.Id, org, ct);
        IsOpen = q.IsOpenAt(clock.GetUtcNow());
        // A draft never submitted follows the questionnaire to its latest published version when the respondent opens
        // the form: left on its own version it could never be submitted if that version had a mistake. A submitted (or
        // withdrawn) response keeps its version: its revisions were validated against it, so an amendment always can be.
        if (moveDraft && IsOpen && Mine is { Status: ResponseStatus.Draft, LastRevisionNo: null } draft
            && draft.QuestionnaireVersionId != q.PublishedVersionId && await MoveDraftAsync(conn, q, org, draft, ct))
            Mine = await RespondSql.ResponseAsync(conn, id, me.Id, org, ct);
        // Sanitized again before showing: a version published under an older rule set is still safe to render.
        SchemaJson = richText.SanitizeSurveyJson(await RespondSql.PublishedSchemaAsync(conn, id, Mine?.QuestionnaireVersionId ?? q.PublishedVersionId, ct) ?? "{}");
        Title = Consultation.Core.Questionnaires.SurveyTitle.For(q.Title, SchemaJson, CultureInfo.CurrentUICulture);
        if (Mine is { Status: ResponseStatus.Draft, LastRevisionNo: null }) await LoadMovesAsync(conn, q, org, Mine.Id, ct);
        return true;
    }

    /// <summary>
    /// Moves the draft to the latest published version: answers carried by question name (<see cref="DraftCarryOver"/>),
    /// the others kept in <c>response_version_moves</c>, audited. Optimistic like an autosave: only at the revision just
    /// read and only while never submitted; a tab still showing the old version then gets the usual 409 with this copy.
    /// False when nothing moved (another device saved or submitted meanwhile: the next opening tries again).
    /// </summary>
    private async Task<bool> MoveDraftAsync(DbConnection conn, RespondSql.QuestionnaireRow q, long org, RespondSql.ResponseRow draft, CancellationToken ct)
    {
        if (await schemas.GetAsync(db, q.Id, q.PublishedVersionId, ct) is not { } target) return false;
        var split = DraftCarryOver.Split(target, draft.DataJson);
        var now = clock.GetUtcNow();
        await using var tx = await conn.BeginTransactionAsync(ct);
        int n;
        try
        {
            n = await conn.ExecuteAsync(new CommandDefinition(MoveSql, new
            {
                To = q.PublishedVersionId, Data = split.CarriedJson, now, draft.Id, Me = me.Id, org, draft.Revision, From = draft.QuestionnaireVersionId,
            }, tx, cancellationToken: ct));
        }
        catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            n = 0; // a response of theirs on the new version already (not the latest one read): left as it is
        }
        if (n == 0)
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        var (fromNo, toNo) = await conn.QuerySingleAsync<(long, long)>(new CommandDefinition("""
            INSERT INTO response_version_moves (response_id, from_version_id, to_version_id, moved_at, moved_by, orphaned_json)
            VALUES (@Id, @From, @To, @now, @Me, @Orphaned)
            RETURNING (SELECT version FROM questionnaire_versions WHERE id = @From), (SELECT version FROM questionnaire_versions WHERE id = @To)
            """, new { draft.Id, From = draft.QuestionnaireVersionId, To = q.PublishedVersionId, now, Me = me.Id, Orphaned = split.OrphanedJson },
            tx, cancellationToken: ct));
        await audit.WriteAsync(RespondAudit.MovedToNewVersion, $"response:{draft.Id}",
            $"questionnaire:{q.Id} version {fromNo} to {toNo}" + (split.HasOrphans ? "; answers without a question kept" : ""), conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private const string MoveSql = """
        UPDATE responses SET questionnaire_version_id = @To, data_json = @Data, current_page = 0, revision = revision + 1, updated_at = @now
         WHERE id = @Id AND respondent_user_id = @Me AND organisation_id = @org AND revision = @Revision
           AND questionnaire_version_id = @From AND status = 'Draft' AND source = 'Form'
           AND NOT EXISTS (SELECT 1 FROM response_revisions rr WHERE rr.response_id = responses.id)
        """;

    private sealed record MoveRow
    {
        public long FromVersionId { get; init; }
        public string OrphanedJson { get; init; } = "{}";
        public DateTimeOffset PublishedAt { get; init; }
    }

    /// <summary>The draft's moves: when the version it is on now was published, and every answer left without a question on the way.</summary>
    private async Task LoadMovesAsync(DbConnection conn, RespondSql.QuestionnaireRow q, long org, long responseId, CancellationToken ct)
    {
        var moves = (await conn.QueryAsync<MoveRow>(new CommandDefinition("""
            SELECT m.from_version_id, m.orphaned_json, v.published_at
              FROM response_version_moves m
              JOIN responses rs ON rs.id = m.response_id
              JOIN questionnaire_versions v ON v.id = m.to_version_id
             WHERE m.response_id = @responseId AND rs.respondent_user_id = @Me AND rs.organisation_id = @org
             ORDER BY m.id
            """, new { responseId, Me = me.Id, org }, cancellationToken: ct))).ToList();
        if (moves.Count == 0) return;
        MovedToVersionPublishedAt = moves[^1].PublishedAt;
        var orphans = new List<(string, string)>();
        var locale = SurveyLocale;
        foreach (var m in moves.Where(m => m.OrphanedJson != "{}"))
            orphans.AddRange(DraftCarryOver.Describe(await schemas.GetAsync(db, q.Id, m.FromVersionId, ct), m.OrphanedJson, locale.Length == 0 ? null : locale));
        OrphanedAnswers = orphans;
    }

    /// <summary>Why the respondent cannot do what they tried (also the title of the endpoints' 409, FormEndpoints).</summary>
    public static string RefusalMessage(IStringLocalizer L, string refusal) => refusal switch
    {
        ResponseRefusals.RoundClosed => L["The round is closed. Your answers are kept but can no longer change."],
        ResponseRefusals.NotSubmitted => L["Only submitted answers can be withdrawn."],
        _ => L["The round is not open."],
    };

    private static bool JsonEquals(string a, string b)
    {
        using var x = JsonDocument.Parse(a);
        using var y = JsonDocument.Parse(b);
        return JsonElement.DeepEquals(x.RootElement, y.RootElement);
    }
}
