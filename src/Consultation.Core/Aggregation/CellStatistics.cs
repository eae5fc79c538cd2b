namespace Consultation.Core.Aggregation;

/// <summary>A cell of the evidence matrix: one crime area × one indicator.</summary>
public readonly record struct CellKey(string CrimeArea, string Indicator);

/// <summary>
/// The statistics of one cell (DOMAIN.md, "Aggregation rules", rules 3 and 4), rounded to 4 decimals.
/// When <see cref="Suppressed"/> (fewer than <see cref="MinOrganisations"/> distinct organisations) every
/// statistic is null: show only "fewer than k", in the UI, exports and API alike.
/// </summary>
public sealed record CellStatistics
{
    public required string CrimeArea { get; init; }
    public required string Indicator { get; init; }

    /// <summary>Number of values.</summary>
    public required int N { get; init; }

    /// <summary>Number of distinct organisations behind the values.</summary>
    public required int Organisations { get; init; }

    /// <summary>The round's minimum group size k the cell was judged against.</summary>
    public required int MinOrganisations { get; init; }

    public bool Suppressed => Organisations < MinOrganisations;

    public double? WeightedMean { get; init; }
    public double? WeightedMedian { get; init; }
    public double? Iqr { get; init; }
    public double? Sd { get; init; }
    public double? Consensus { get; init; }

    /// <summary>
    /// The weighted mean unrounded (null when suppressed), for figures computed from cell means elsewhere, such as
    /// the sensitivity ranking with equal indicator weights; never reported as such.
    /// </summary>
    public double? ExactMean { get; init; }

    /// <summary>iqr ≤ 1, the usual Delphi criterion on a 5-point scale.</summary>
    public bool? Agreement { get; init; }

    /// <summary>Coordinator-only drill-down; see <see cref="Contribution"/>.</summary>
    public required IReadOnlyList<Contribution> Contributions { get; init; }
}
