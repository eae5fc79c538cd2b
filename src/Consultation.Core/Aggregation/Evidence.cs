namespace Consultation.Core.Aggregation;

/// <summary>
/// Composite score and rank of one crime area (DOMAIN.md, rule 5). <see cref="Composite"/> is null ("none")
/// when any of the five indicator cells is suppressed or has no values; such an area has no rank.
/// </summary>
public sealed record CrimeAreaScore(string CrimeArea, double? Composite, int? Rank);

/// <summary>
/// The aggregated matrix crime area × indicator, composite scores and ranks (DOMAIN.md, "Evidence").
/// <see cref="FormulaVersion"/> records which formulas produced it, for snapshots.
/// </summary>
public sealed record Evidence(
    string FormulaVersion,
    AggregationSettings Settings,
    IReadOnlyDictionary<CellKey, CellStatistics> Cells,
    IReadOnlyList<CrimeAreaScore> CrimeAreas)
{
    /// <summary>The cell, or null when no value reached it.</summary>
    public CellStatistics? Cell(string crimeArea, string indicator) =>
        Cells.TryGetValue(new CellKey(crimeArea, indicator), out var cell) ? cell : null;

    public CrimeAreaScore? CrimeArea(string crimeArea) =>
        CrimeAreas.FirstOrDefault(a => a.CrimeArea == crimeArea);
}
