using System.Globalization;
using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Respond;

/// <summary>
/// The respondent's home: their organisation's questionnaires in open rounds (and in closed rounds where they
/// answered, read-only), each with the respondent's progress and the deadline in the round's time zone.
/// </summary>
public sealed class IndexModel(Db db, CurrentUser me, TimeProvider clock) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public string OrganisationName { get; private set; } = "";
    public IReadOnlyList<Item> Items { get; private set; } = [];

    public sealed record Item
    {
        public RespondSql.QuestionnaireRow Questionnaire { get; init; } = new();
        /// <summary>NotStarted, Draft, Submitted or Withdrawn (<see cref="ResponseRules.Progress"/>).</summary>
        public string Progress { get; init; } = "NotStarted";
        public long? RevisionNo { get; init; }
        public bool IsOpen { get; init; }
        /// <summary>The title in the reader's language where the definition has it (SurveyTitle).</summary>
        public string Title { get; init; } = "";
    }

    private sealed record StatusRow
    {
        public long QuestionnaireId { get; init; }
        public string Status { get; init; } = "";
        public long? RevisionNo { get; init; }
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (me.OrganisationId is not { } org) return Forbid();
        await using var conn = await db.OpenAsync(ct);
        OrganisationName = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT name FROM organisations WHERE id = @org", new { org }, cancellationToken: ct)) ?? "";
        var questionnaires = await RespondSql.VisibleAsync(conn, me.Id, org, ct);
        var statuses = (await conn.QueryAsync<StatusRow>(new CommandDefinition("""
            SELECT v.questionnaire_id, rs.status,
                   (SELECT MAX(rr.revision_no) FROM response_revisions rr WHERE rr.response_id = rs.id) AS revision_no
              FROM responses rs JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id
             WHERE rs.respondent_user_id = @Me AND rs.organisation_id = @org
            """, new { Me = me.Id, org }, cancellationToken: ct)))
            .GroupBy(s => s.QuestionnaireId).ToDictionary(g => g.Key, g => g.Last());
        var now = clock.GetUtcNow();
        var schemas = await RespondSql.PublishedSchemasAsync(conn, [.. questionnaires.Select(q => q.PublishedVersionId).Distinct()], ct);
        Items = questionnaires.Select(q =>
        {
            statuses.TryGetValue(q.Id, out var s);
            return new Item
            {
                Questionnaire = q,
                Title = SurveyTitle.For(q.Title, schemas.GetValueOrDefault(q.PublishedVersionId), CultureInfo.CurrentUICulture),
                Progress = ResponseRules.Progress(s?.Status),
                RevisionNo = s?.RevisionNo,
                IsOpen = q.IsOpenAt(now),
            };
        }).ToList();
        return Page();
    }
}
