using System.Data.Common;
using Consultation.Core.Questionnaires;
using Dapper;

namespace Consultation.Web.Pages.Questionnaires;

/// <summary>Round lookups shared by the questionnaire pages.</summary>
public static class QuestionnairesSql
{
    public sealed record RoundRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        /// <summary>Questionnaires of closed or archived rounds no longer change.</summary>
        public bool IsLocked => Consultation.Core.Rounds.RoundStatuses.IsEnded(Status);
    }

    public static Task<RoundRow?> RoundAsync(DbConnection conn, long roundId, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition(
            "SELECT id, title, status FROM rounds WHERE id = @roundId", new { roundId }, cancellationToken: ct))!;

    public static async Task<IReadOnlyList<CrimeAreaName>> CrimeAreasAsync(DbConnection conn, long roundId, CancellationToken ct) =>
        (await conn.QueryAsync<CrimeAreaName>(new CommandDefinition("""
            SELECT ca.code, ca.name_en, ca.name_sr_latn, ca.name_mk, ca.name_sq
              FROM round_crime_areas rca JOIN crime_areas ca ON ca.code = rca.crime_area_code
             WHERE rca.round_id = @roundId ORDER BY ca.sort_order, ca.code
            """, new { roundId }, cancellationToken: ct))).ToList();
}
