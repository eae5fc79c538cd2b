namespace Consultation.Core.Aggregation;

/// <summary>
/// The score of one PESTLE factor (DOMAIN.md, rule 6): the weighted mean of each respondent's own
/// impact × likelihood (1–25), rounded to 4 decimals; null when suppressed. Ranked overall and within its
/// dimension; suppressed factors have no rank.
/// </summary>
public sealed record PestleScore
{
    public required string FactorKey { get; init; }
    public required string Dimension { get; init; }
    public required int N { get; init; }
    public required int Organisations { get; init; }
    public required int MinOrganisations { get; init; }
    public bool Suppressed => Organisations < MinOrganisations;
    public double? Score { get; init; }
    public int? Rank { get; init; }
    public int? DimensionRank { get; init; }

    /// <summary>Coordinator-only drill-down; each value is that respondent's impact × likelihood.</summary>
    public required IReadOnlyList<Contribution> Contributions { get; init; }
}

/// <summary>PESTLE factor scores ordered by overall rank (unranked last), then factor key.</summary>
public sealed record PestleRanking(string FormulaVersion, AggregationSettings Settings, IReadOnlyList<PestleScore> Factors)
{
    public IEnumerable<PestleScore> InDimension(string dimension) =>
        Factors.Where(f => f.Dimension == dimension).OrderBy(f => f.DimensionRank ?? int.MaxValue).ThenBy(f => f.FactorKey, StringComparer.Ordinal);
}
