using System.Data.Common;
using Consultation.Core.Rounds;
using Dapper;

namespace Consultation.Web.Rounds;

/// <summary>
/// Progress of each invited organisation on each published questionnaire of a round: what the round page shows
/// and what decides who gets a reminder.
/// </summary>
public static class RoundProgressSql
{
    private sealed record Row
    {
        public long OrganisationId { get; init; }
        public string OrganisationName { get; init; } = "";
        public string Category { get; init; } = "";
        public long? QuestionnaireId { get; init; }
        public string? QuestionnaireTitle { get; init; }
        public string? Status { get; init; }
        public DateTimeOffset? UpdatedAt { get; init; }
        public long Revisions { get; init; }
    }

    public sealed record Progress
    {
        public long OrganisationId { get; init; }
        public string OrganisationName { get; init; } = "";
        public string Category { get; init; } = "";
        public long? QuestionnaireId { get; init; }
        public string QuestionnaireTitle { get; init; } = "";
        /// <summary>One of <see cref="RoundProgress"/>'s constants.</summary>
        public string Status { get; init; } = RoundProgress.NotStarted;
        public DateTimeOffset? LastActivity { get; init; }
        public long Responses { get; init; }
        public long Revisions { get; init; }
    }

    /// <summary>One entry per invited organisation and published questionnaire (one per organisation when none is published).</summary>
    public static async Task<IReadOnlyList<Progress>> LoadAsync(DbConnection conn, long roundId, CancellationToken ct, DbTransaction? tx = null)
    {
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT o.id AS organisation_id, o.name AS organisation_name, o.category,
                   q.id AS questionnaire_id, q.title AS questionnaire_title,
                   r.status, r.updated_at,
                   (SELECT COUNT(*) FROM response_revisions rr WHERE rr.response_id = r.id) AS revisions
              FROM round_organisations ro
              JOIN organisations o ON o.id = ro.organisation_id
              LEFT JOIN questionnaires q ON q.round_id = ro.round_id
                   AND COALESCE(q.template, '') <> 'IMPORT' -- the API's imported rows: not a questionnaire anyone answers or is reminded of
                   AND EXISTS (SELECT 1 FROM questionnaire_versions v WHERE v.questionnaire_id = q.id AND v.status = 'Published')
              LEFT JOIN (SELECT r.id, r.organisation_id, r.status, r.updated_at, qv.questionnaire_id
                           FROM responses r JOIN questionnaire_versions qv ON qv.id = r.questionnaire_version_id) r
                   ON r.questionnaire_id = q.id AND r.organisation_id = ro.organisation_id
             WHERE ro.round_id = @roundId
            """, new { roundId }, tx, cancellationToken: ct));
        return rows
            .GroupBy(r => (r.OrganisationId, r.QuestionnaireId))
            .Select(g =>
            {
                var first = g.First();
                var responses = g.Where(r => r.Status is not null).ToList();
                return new Progress
                {
                    OrganisationId = first.OrganisationId,
                    OrganisationName = first.OrganisationName,
                    Category = first.Category,
                    QuestionnaireId = first.QuestionnaireId,
                    QuestionnaireTitle = first.QuestionnaireTitle ?? "",
                    Status = RoundProgress.Combine(responses.Select(r => r.Status!)),
                    LastActivity = responses.Max(r => r.UpdatedAt),
                    Responses = responses.Count,
                    Revisions = responses.Sum(r => r.Revisions),
                };
            })
            .OrderBy(p => p.OrganisationName, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.QuestionnaireId)
            .ToList();
    }

    /// <summary>Organisations that still owe a submission (issue 3: reminders go to "organisations that have not submitted").</summary>
    public static IReadOnlySet<long> Pending(IEnumerable<Progress> progress) =>
        progress.GroupBy(p => p.OrganisationId)
            .Where(g => RoundProgress.NeedsReminder(g.Select(p => p.Status)))
            .Select(g => g.Key).ToHashSet();
}
