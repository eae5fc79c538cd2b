using System.Data.Common;
using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;
using Consultation.Core.Scales;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Rounds;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Rounds.Responses;

/// <summary>
/// One response for a coordinator: its answers with the question titles of the published version it answered,
/// every kept revision with what changed between two, and the Europol 4x4 grading of a submitted response.
/// Coordinators read only what the organisation submitted: the answers shown by default are the latest submitted
/// revision (the one the evidence counts), never the draft the respondent is still editing.
/// </summary>
public sealed class DetailsModel(Db db, CurrentUser me, AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public GradeInput Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }
    public ResponseRow Row { get; private set; } = new();
    public IReadOnlyList<RevisionRow> Revisions { get; private set; } = [];
    /// <summary>The revision asked for; null shows the latest submitted revision (<see cref="Latest"/>).</summary>
    public long? Revision { get; private set; }
    /// <summary>The latest submitted revision; null when the organisation has submitted nothing yet (nothing is shown then).</summary>
    public RevisionRow? Latest => Revisions.Count > 0 ? Revisions[^1] : null;
    /// <summary>The respondent has saved changes after the latest submission (their content is not shown).</summary>
    public bool HasUnsubmittedChanges { get; private set; }
    public long? CompareWith { get; private set; }
    public IReadOnlyList<AnswerItem> Items { get; private set; } = [];
    public IReadOnlyList<Change> Changes { get; private set; } = [];

    /// <summary>Source reliability and information codes with their meanings (DOMAIN.md, "Grading").</summary>
    public static readonly IReadOnlyList<(string Code, string Meaning)> Sources =
        [("A", "No doubt about the source"), ("B", "Source mostly reliable"), ("C", "Source not reliable"), ("X", "Source cannot be assessed")];
    public static readonly IReadOnlyList<(string Code, string Meaning)> Informations =
    [
        ("1", "Known to be true without reservation"),
        ("2", "Known personally to the source, not to the official passing it on"),
        ("3", "Not known personally to the source, corroborated by other information"),
        ("4", "Cannot be assessed"),
    ];

    public sealed class GradeInput
    {
        public string? Source { get; set; }
        public string? Information { get; set; }

        /// <summary>
        /// The grading the page showed ("" when ungraded; a hidden field): a save replaces only that grading, so a page
        /// opened before someone else graded cannot silently replace theirs. Missing (null) counts as stale.
        /// </summary>
        [System.ComponentModel.DataAnnotations.DisplayFormat(ConvertEmptyStringToNull = false)]
        public string? BaseGrading { get; set; }
    }

    public sealed record ResponseRow
    {
        public long Id { get; init; }
        public long RoundId { get; init; }
        public string RoundTitle { get; init; } = "";
        public string TimeZone { get; init; } = "";
        public string QuestionnaireTitle { get; init; } = "";
        public long Version { get; init; }
        public string SchemaJson { get; init; } = "{}";
        public string OrganisationName { get; init; } = "";
        public string Category { get; init; } = "";
        public string RespondentName { get; init; } = "";
        public string RespondentEmail { get; init; } = "";
        public string Status { get; init; } = "";
        public string DataJson { get; init; } = "{}";
        public DateTimeOffset? SubmittedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public string? Grading { get; init; }
        public string? GradedByName { get; init; }
        public DateTimeOffset? GradedAt { get; init; }
    }

    public sealed record RevisionRow
    {
        public long RevisionNo { get; init; }
        public DateTimeOffset SubmittedAt { get; init; }
        public string SubmittedByName { get; init; } = "";
        public string DataJson { get; init; } = "{}";
    }

    public sealed record Change
    {
        public string Title { get; init; } = "";
        public string PageTitle { get; init; } = "";
        public IReadOnlyList<AnswerLine> Before { get; init; } = [];
        public IReadOnlyList<AnswerLine> After { get; init; } = [];
    }

    public bool CanGrade => Row.Status == ResponseStatus.Submitted;

    public string Local(DateTimeOffset? utc) => utc is { } t ? Formats.DateTime(t, Row.TimeZone, CultureInfo.CurrentCulture) : "—";

    public string LineText(AnswerLine line) => line.IsKeyword
        ? (line.Value.StartsWith("Other: ", StringComparison.Ordinal) ? L["Other"] + ": " + line.Value["Other: ".Length..] : L[line.Value].Value)
        : line.Value;

    public async Task<IActionResult> OnGetAsync(long id, long? revision, long? compare, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        if (!await LoadAsync(conn, id, ct)) return NotFound();
        if (!Show(revision, compare)) return NotFound();
        Input = Row.Grading is { Length: 2 } g ? new GradeInput { Source = g[..1], Information = g[1..] } : new GradeInput();
        Input.BaseGrading = Row.Grading ?? "";
        return Page();
    }

    public async Task<IActionResult> OnPostGradeAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        if (!await LoadAsync(conn, id, ct)) return NotFound();
        var source = (Input.Source ?? "").Trim().ToUpperInvariant();
        var information = (Input.Information ?? "").Trim();
        if (source.Length != 1 || !Grading.IsValidSource(source[0]))
            ModelState.AddModelError("Input.Source", L["Choose the source's reliability: A, B, C or X."]);
        if (!int.TryParse(information, NumberStyles.None, CultureInfo.InvariantCulture, out var info) || !Grading.IsValidInformation(info))
            ModelState.AddModelError("Input.Information", L["Choose the information's assessment: 1, 2, 3 or 4."]);
        if (!CanGrade) ModelState.AddModelError("", L["Only a submitted response can be graded."]);
        if (!ModelState.IsValid)
        {
            Show(null, null);
            return Page();
        }

        var grading = new Grading(source[0], info).ToString();
        if (Input.BaseGrading != (Row.Grading ?? ""))
        {
            // Someone graded it after this page was rendered. Already what was chosen: nothing to change.
            if (Row.Grading == grading)
            {
                StatusMessage = L["Graded {0}.", grading];
                return RedirectToPage(new { id });
            }
            return GradedMeanwhile();
        }
        var now = clock.GetUtcNow();
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            // Only a response still submitted is graded: one withdrawn meanwhile is refused, not silently graded; and only
            // over the grading the page showed: one given meanwhile is named, not silently replaced.
            var n = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE responses SET grading = @grading, graded_by = @UserId, graded_at = @now
                 WHERE id = @id AND status = 'Submitted' AND COALESCE(grading, '') = @BaseGrading
                """, new { grading, UserId = me.Id == 0 ? (long?)null : me.Id, now, id, Input.BaseGrading }, tx, cancellationToken: ct));
            if (n == 0)
            {
                await tx.RollbackAsync(ct);
                await LoadAsync(conn, id, ct);
                if (!CanGrade)
                {
                    ModelState.AddModelError("", L["Only a submitted response can be graded."]);
                    Show(null, null);
                    return Page();
                }
                return GradedMeanwhile();
            }
            await audit.WriteAsync(CoordinationAuditActions.ResponseGraded, $"response:{id}",
                $"{grading} (was {Row.Grading ?? "ungraded"}); {Row.OrganisationName}, round:{Row.RoundId}", conn, tx, ct: ct);
            await tx.CommitAsync(ct);
        }
        StatusMessage = L["Graded {0}.", grading];
        return RedirectToPage(new { id });
    }

    /// <summary>
    /// Refuses a grading chosen on a page that showed another grading than the current one: names the current grading,
    /// keeps the choice selected, and takes the current grading as the base, so saving again replaces it deliberately.
    /// </summary>
    private PageResult GradedMeanwhile()
    {
        ModelState.AddModelError("", Row.Grading is { } current
            ? L["{0} graded this response {1} on {2} while you were choosing, so your grading was not saved. Your choice is still selected: save again to replace {1} with it.",
                Row.GradedByName ?? "—", current, Local(Row.GradedAt)]
            : L["The grading of this response changed while you were choosing: it is now not graded, and your grading was not saved. Your choice is still selected: save again to grade it."]);
        ModelState.Remove("Input.BaseGrading");
        Input.BaseGrading = Row.Grading ?? "";
        Show(null, null);
        return Page();
    }

    private static string SurveyLocale => Languages.SurveyLocale(Languages.Of(CultureInfo.CurrentUICulture));

    /// <summary>Renders the chosen revision (or the current data) and, with <paramref name="compare"/>, what changed since that revision.</summary>
    private bool Show(long? revision, long? compare)
    {
        // A draft is the organisation's own until it is submitted: only revisions are shown to coordinators.
        var data = Latest?.DataJson;
        HasUnsubmittedChanges = Latest is { } latest && AnswerSheet.ChangedAnswers(latest.DataJson, Row.DataJson).Count > 0;
        if (revision is { } r)
        {
            var shown = Revisions.FirstOrDefault(x => x.RevisionNo == r);
            if (shown is null) return false;
            data = shown.DataJson;
            Revision = r;
        }
        if (data is null) return compare is null;
        Items = AnswerSheet.Render(Row.SchemaJson, data, SurveyLocale);
        if (compare is { } c)
        {
            var older = Revisions.FirstOrDefault(x => x.RevisionNo == c);
            if (older is null) return false;
            CompareWith = c;
            var before = AnswerSheet.Render(Row.SchemaJson, older.DataJson, SurveyLocale).ToDictionary(i => i.Name, StringComparer.Ordinal);
            var after = Items.ToDictionary(i => i.Name, StringComparer.Ordinal);
            Changes = AnswerSheet.ChangedAnswers(older.DataJson, data)
                .Select(name => (Before: before.GetValueOrDefault(name), After: after.GetValueOrDefault(name)))
                .Where(x => x.Before is not null || x.After is not null)
                .Select(x => new Change
                {
                    Title = (x.After ?? x.Before)!.Title,
                    PageTitle = (x.After ?? x.Before)!.PageTitle,
                    Before = x.Before?.Lines ?? [],
                    After = x.After?.Lines ?? [],
                })
                .ToList();
        }
        return true;
    }

    private async Task<bool> LoadAsync(DbConnection conn, long id, CancellationToken ct)
    {
        var response = await conn.QuerySingleOrDefaultAsync<ResponseRow>(new CommandDefinition("""
            SELECT r.id, q.round_id, rd.title AS round_title, rd.time_zone, q.title AS questionnaire_title, v.version, v.schema_json,
                   o.name AS organisation_name, o.category,
                   COALESCE(NULLIF(u.display_name, ''), u.email) AS respondent_name, u.email AS respondent_email,
                   r.status, r.data_json, r.submitted_at, r.updated_at, r.grading, r.graded_at,
                   (SELECT COALESCE(NULLIF(g.display_name, ''), g.email) FROM users g WHERE g.id = r.graded_by) AS graded_by_name
              FROM responses r
              JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
              JOIN questionnaires q ON q.id = v.questionnaire_id
              JOIN rounds rd ON rd.id = q.round_id
              JOIN organisations o ON o.id = r.organisation_id
              JOIN users u ON u.id = r.respondent_user_id
             WHERE r.id = @id
            """, new { id }, cancellationToken: ct));
        if (response is null) return false;
        Row = response;
        Revisions = (await conn.QueryAsync<RevisionRow>(new CommandDefinition("""
            SELECT rr.revision_no, rr.submitted_at, rr.data_json, COALESCE(NULLIF(u.display_name, ''), u.email) AS submitted_by_name
              FROM response_revisions rr JOIN users u ON u.id = rr.submitted_by
             WHERE rr.response_id = @id ORDER BY rr.revision_no
            """, new { id }, cancellationToken: ct))).ToList();
        return true;
    }
}
