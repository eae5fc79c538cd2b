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
public sealed class FormModel(Db db, CurrentUser me, AuditLog audit, RichText richText, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public string? ErrorMessage { get; private set; }
    public RespondSql.QuestionnaireRow Questionnaire { get; private set; } = new();
    public RespondSql.ResponseRow? Mine { get; private set; }
    public string SchemaJson { get; private set; } = "{}";
    /// <summary>The questionnaire's title in the reader's language where the definition has it (<see cref="Consultation.Core.Questionnaires.SurveyTitle"/>).</summary>
    public string Title { get; private set; } = "";
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

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (me.OrganisationId is not { } org) return NotFound();
        await using var conn = await db.OpenAsync(ct);
        return await LoadAsync(conn, id, org, ct) ? Page() : NotFound();
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

    private async Task<bool> LoadAsync(DbConnection conn, long id, long org, CancellationToken ct)
    {
        var q = await RespondSql.QuestionnaireAsync(conn, id, me.Id, org, ct);
        if (q is null) return false;
        Questionnaire = q;
        Mine = await RespondSql.ResponseAsync(conn, id, me.Id, org, ct);
        // Sanitized again before showing: a version published under an older rule set is still safe to render.
        SchemaJson = richText.SanitizeSurveyJson(await RespondSql.PublishedSchemaAsync(conn, id, Mine?.QuestionnaireVersionId ?? q.PublishedVersionId, ct) ?? "{}");
        IsOpen = q.IsOpenAt(clock.GetUtcNow());
        Title = Consultation.Core.Questionnaires.SurveyTitle.For(q.Title, SchemaJson, CultureInfo.CurrentUICulture);
        return true;
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
