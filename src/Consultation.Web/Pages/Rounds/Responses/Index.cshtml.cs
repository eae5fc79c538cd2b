using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Localization;
using Consultation.Web.Rounds;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Rounds.Responses;

/// <summary>
/// A round's responses for coordinators, per questionnaire: who answered, how far, when, how often, how graded;
/// <see cref="PageSize"/> a page (imports bring thousands), "Next"/"Previous" keeping the questionnaire chosen.
/// </summary>
public sealed class IndexModel(Db db, IStringLocalizer<SharedResource> L) : PageModel
{
    public const int PageSize = 200;

    public RoundRow Round { get; private set; } = new();
    public IReadOnlyList<QuestionnaireRow> Questionnaires { get; private set; } = [];
    public IReadOnlyList<ResponseRow> Rows { get; private set; } = [];
    public long? QuestionnaireId { get; private set; }
    /// <summary>The page shown, from 1 (the query's <c>pageNumber</c>; missing, unparsable or below 1 is the first).</summary>
    public int PageNumber { get; private set; } = 1;
    /// <summary>Whether there are responses after this page.</summary>
    public bool HasNext { get; private set; }
    /// <summary>The number of the first response shown, from 1.</summary>
    public long FirstShown => (long)(PageNumber - 1) * PageSize + 1;
    /// <summary>All responses of the list (every page): of the questionnaire chosen, or of the round.</summary>
    public long Total => QuestionnaireId is { } id ? Questionnaires.FirstOrDefault(q => q.Id == id)?.Responses ?? 0 : Questionnaires.Sum(q => q.Responses);

    /// <summary>The query of another page of this list.</summary>
    public Dictionary<string, string?> PageRoute(int pageNumber) => new()
    {
        ["roundId"] = Round.Id.ToString(CultureInfo.InvariantCulture),
        ["questionnaireId"] = QuestionnaireId?.ToString(CultureInfo.InvariantCulture),
        ["pageNumber"] = pageNumber > 1 ? pageNumber.ToString(CultureInfo.InvariantCulture) : null,
    };

    public sealed record RoundRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string TimeZone { get; init; } = "";
    }

    public sealed record QuestionnaireRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public long Responses { get; init; }
    }

    /// <summary>Questionnaire titles in the reader's language (<see cref="QuestionnaireTitlesSql"/>), by id.</summary>
    public IReadOnlyDictionary<long, string> Titles { get; private set; } = new Dictionary<long, string>();

    /// <summary>A questionnaire's title as the page shows it: in the reader's language where the definition has it.</summary>
    public string QuestionnaireTitle(long id, string stored) =>
        Consultation.Web.Api.ImportApi.DisplayTitle(L, Titles.TryGetValue(id, out var t) ? t : stored);

    public sealed record ResponseRow
    {
        public long Id { get; init; }
        public long QuestionnaireId { get; init; }
        public string OrganisationName { get; init; } = "";
        public string Category { get; init; } = "";
        public string RespondentName { get; init; } = "";
        public string QuestionnaireTitle { get; init; } = "";
        public long Version { get; init; }
        public string Status { get; init; } = "";
        public DateTimeOffset? SubmittedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Revisions { get; init; }
        public string? Grading { get; init; }
    }

    public string Local(DateTimeOffset? utc) => utc is { } t ? Formats.DateTime(t, Round.TimeZone, CultureInfo.CurrentCulture) : "—";

    public async Task<IActionResult> OnGetAsync(long roundId, long? questionnaireId, int? pageNumber, CancellationToken ct)
    {
        // Like an unparsable number, one out of range shows the first page rather than an error.
        PageNumber = pageNumber is > 1 ? pageNumber.Value : 1;
        await using var conn = await db.OpenAsync(ct);
        var round = await conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition(
            "SELECT id, title, time_zone FROM rounds WHERE id = @roundId", new { roundId }, cancellationToken: ct));
        if (round is null) return NotFound();
        Round = round;
        Questionnaires = (await conn.QueryAsync<QuestionnaireRow>(new CommandDefinition("""
            SELECT q.id, q.title,
                   (SELECT COUNT(*) FROM responses r JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id WHERE v.questionnaire_id = q.id) AS responses
              FROM questionnaires q WHERE q.round_id = @roundId ORDER BY q.id
            """, new { roundId }, cancellationToken: ct))).ToList();
        Titles = await QuestionnaireTitlesSql.ForRoundAsync(conn, roundId, CultureInfo.CurrentUICulture, ct);
        // A questionnaire of another round in the query string shows nothing rather than someone else's list.
        QuestionnaireId = questionnaireId;
        var rows = (await conn.QueryAsync<ResponseRow>(new CommandDefinition("""
            SELECT r.id, o.name AS organisation_name, o.category, COALESCE(NULLIF(u.display_name, ''), u.email) AS respondent_name,
                   q.id AS questionnaire_id, q.title AS questionnaire_title, v.version, r.status, r.submitted_at, r.updated_at, r.grading,
                   (SELECT COUNT(*) FROM response_revisions rr WHERE rr.response_id = r.id) AS revisions
              FROM responses r
              JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
              JOIN questionnaires q ON q.id = v.questionnaire_id
              JOIN organisations o ON o.id = r.organisation_id
              JOIN users u ON u.id = r.respondent_user_id
             WHERE q.round_id = @roundId AND (@questionnaireId IS NULL OR q.id = @questionnaireId)
             ORDER BY q.id, o.name, r.id
             LIMIT @Take OFFSET @Skip
            """, new { roundId, questionnaireId, Take = PageSize + 1, Skip = (long)(PageNumber - 1) * PageSize }, cancellationToken: ct))).ToList();
        if (rows.Count > PageSize)
        {
            rows.RemoveAt(PageSize);
            HasNext = true;
        }
        Rows = rows;
        return Page();
    }
}
