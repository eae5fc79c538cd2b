using Consultation.Core.Scales;

namespace Consultation.Core.Aggregation;

/// <summary>
/// The round settings the aggregation rules depend on (DOMAIN.md, "Aggregation rules"): category weights
/// (default 1.0), indicator weights for the composite (default 1 each), the grading that ungraded responses
/// take (default <c>B2</c>) and the minimum number of distinct organisations a cell needs before it shows
/// statistics (default 3).
/// </summary>
public sealed record AggregationSettings
{
    private static readonly IReadOnlyDictionary<string, double> None = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Weight per organisation category code; a category that is not listed weighs 1.0.</summary>
    public IReadOnlyDictionary<string, double> CategoryWeights { get; init; } = None;

    /// <summary>Weight vⱼ per indicator code in the composite score; an indicator that is not listed weighs 1.</summary>
    public IReadOnlyDictionary<string, double> IndicatorWeights { get; init; } = None;

    /// <summary>Grading used for values whose response was not graded.</summary>
    public Grading DefaultGrading { get; init; } = Grading.Default;

    /// <summary>A cell with fewer distinct organisations than this is suppressed (rule 4).</summary>
    public int MinOrganisations { get; init; } = 3;

    public static AggregationSettings Default { get; } = new();

    public double CategoryWeight(string category) =>
        CategoryWeights.TryGetValue(category, out var w) ? w : 1.0;

    public double IndicatorWeight(string indicator) =>
        IndicatorWeights.TryGetValue(indicator, out var v) ? v : 1.0;

    /// <summary>
    /// Rejects settings the formulas cannot honour. Weights must be positive and finite: a zero weight would
    /// let an organisation count towards the minimum group size while contributing nothing to the figures,
    /// and could make a cell's total weight zero.
    /// </summary>
    public void Validate()
    {
        if (MinOrganisations < 1)
            throw new ArgumentOutOfRangeException(nameof(MinOrganisations), MinOrganisations, "At least one organisation is needed.");
        if (!Grading.IsValidSource(DefaultGrading.Source) || !Grading.IsValidInformation(DefaultGrading.Information))
            throw new ArgumentOutOfRangeException(nameof(DefaultGrading), DefaultGrading.ToString(), "Not a Europol 4x4 grading.");
        foreach (var (category, w) in CategoryWeights)
            if (!IsPositive(w))
                throw new ArgumentOutOfRangeException(nameof(CategoryWeights), w, $"Weight of category {category} must be positive and finite.");
        foreach (var (indicator, v) in IndicatorWeights)
            if (!IsPositive(v))
                throw new ArgumentOutOfRangeException(nameof(IndicatorWeights), v, $"Weight of indicator {indicator} must be positive and finite.");
    }

    private static bool IsPositive(double w) => double.IsFinite(w) && w > 0;
}
