using System.Data.Common;
using System.Globalization;
using Consultation.Core.Questionnaires;
using Dapper;

namespace Consultation.Web.Rounds;

/// <summary>
/// The titles of a round's questionnaires as coordinators read them: a template's title in the reader's language
/// where its definition has it (<see cref="SurveyTitle"/>, as the respondents see it), else the stored title.
/// </summary>
public static class QuestionnaireTitlesSql
{
    private sealed record Row
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string? SchemaJson { get; init; }
    }

    /// <summary>By questionnaire id; the definition read is the latest published version's (the latest draft before one is).</summary>
    public static async Task<IReadOnlyDictionary<long, string>> ForRoundAsync(DbConnection conn, long roundId, CultureInfo culture, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT q.id, q.title,
                   (SELECT v.schema_json FROM questionnaire_versions v WHERE v.questionnaire_id = q.id
                     ORDER BY CASE WHEN v.status = 'Published' THEN 0 ELSE 1 END, v.version DESC LIMIT 1) AS schema_json
              FROM questionnaires q WHERE q.round_id = @roundId
            """, new { roundId }, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => SurveyTitle.For(r.Title, r.SchemaJson, culture));
    }
}
