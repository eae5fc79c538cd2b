using Consultation.Core.Aggregation;
using Consultation.Core.Scales;

namespace Consultation.Core.Tests.Aggregation;

// The aggregation as first written (session 2: LINQ grouping, one Contribution per value, LINQ sorts), kept verbatim
// as the reference the array-based Aggregator must match bit for bit.
internal static class ReferenceAggregator
{
    public static Evidence Aggregate(IEnumerable<ScoreValue> values, AggregationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(settings);
                var list = values.ToList();

        var cells = new Dictionary<CellKey, CellStatistics>();
        var means = new Dictionary<CellKey, double>();
        foreach (var group in list.GroupBy(v => new CellKey(v.CrimeArea, v.Indicator)))
        {
            var contributions = Contributions(group, v => v.OrganisationKey, v => v.Value,
                v => (v.Category, v.Grading, v.Confidence, v.Source), settings);
            var organisations = contributions.Select(c => c.OrganisationKey).Distinct(StringComparer.Ordinal).Count();
            var cell = new CellStatistics
            {
                CrimeArea = group.Key.CrimeArea,
                Indicator = group.Key.Indicator,
                N = contributions.Count,
                Organisations = organisations,
                MinOrganisations = settings.MinOrganisations,
                Contributions = contributions,
            };
            if (!cell.Suppressed)
            {
                var sample = new ReferenceSample(contributions.Select(c => (c.Value, c.Weight)));
                var iqr = sample.Iqr;
                means[group.Key] = sample.Mean;
                cell = cell with
                {
                    WeightedMean = Figures.Round(sample.Mean),
                    WeightedMedian = Figures.Round(sample.Median),
                    Iqr = Figures.Round(iqr),
                    Sd = Figures.Round(sample.StandardDeviation),
                    Consensus = Figures.Round(sample.Consensus(Indicators.Max - Indicators.Min)),
                    Agreement = iqr <= 1,
                };
            }
            cells[group.Key] = cell;
        }

        var areas = list.Select(v => v.CrimeArea).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var composites = areas.Select(a => Composite(a, means, settings)).ToList();
        var ranks = Ranking.Competition(composites);
        var scores = areas
            .Select((a, i) => new CrimeAreaScore(a, Figures.Round(composites[i]), ranks[i]))
            .OrderBy(s => s.Rank ?? int.MaxValue).ThenBy(s => s.CrimeArea, StringComparer.Ordinal)
            .ToList();

        return new Evidence(Aggregator.FormulaVersion, settings, cells, scores);
    }

    /// <summary>Rule 5: Σ vⱼ·meanⱼ / Σ vⱼ over the five indicators; none when any cell is suppressed or missing.</summary>
    private static double? Composite(string crimeArea, Dictionary<CellKey, double> means, AggregationSettings settings)
    {
        double weighted = 0, total = 0;
        foreach (var indicator in Indicators.All)
        {
            if (!means.TryGetValue(new CellKey(crimeArea, indicator), out var mean)) return null;
            var v = settings.IndicatorWeight(indicator);
            weighted += v * mean;
            total += v;
        }
        return weighted / total;
    }

    /// <summary>Rules 1 and 2: each value's weight, divided by its organisation's number m of values in the group.</summary>
    private static List<Contribution> Contributions<T>(
        IEnumerable<T> group,
        Func<T, string> organisation,
        Func<T, double> value,
        Func<T, (string Category, Grading? Grading, Confidence Confidence, SourceRef Source)> describe,
        AggregationSettings settings)
    {
        var items = group.ToList();
        var perOrganisation = items.GroupBy(organisation, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return
        [
            .. items.Select(item =>
            {
                var (category, grading, confidence, source) = describe(item);
                var baseWeight = Weights.For(category, grading, confidence, settings);
                var m = perOrganisation[organisation(item)];
                return new Contribution(source, organisation(item), category, Weights.EffectiveGrading(grading, settings),
                    grading is not null, confidence, value(item), baseWeight, m, baseWeight / m);
            }),
        ];
    }}

internal sealed class ReferenceSample
{
    private readonly double[] _values;
    private readonly double[] _weights;

    public ReferenceSample(IEnumerable<(double Value, double Weight)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var sorted = pairs.OrderBy(p => p.Value).ThenBy(p => p.Weight).ToArray();
        if (sorted.Length == 0) throw new ArgumentException("A sample needs at least one value.", nameof(pairs));
        foreach (var (value, weight) in sorted)
        {
            if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(pairs), value, "Values must be finite.");
            if (!double.IsFinite(weight) || weight <= 0) throw new ArgumentOutOfRangeException(nameof(pairs), weight, "Weights must be positive and finite.");
        }
        _values = [.. sorted.Select(p => p.Value)];
        _weights = [.. sorted.Select(p => p.Weight)];
        TotalWeight = _weights.Sum();
        Mean = Enumerable.Range(0, _values.Length).Sum(i => _weights[i] * _values[i]) / TotalWeight;
    }

    public int Count => _values.Length;

    /// <summary>W = Σwᵢ.</summary>
    public double TotalWeight { get; }

    /// <summary>Σwᵢxᵢ / W.</summary>
    public double Mean { get; }

    /// <summary>
    /// Q(p): the smallest value x whose cumulative weight (values sorted ascending) is ≥ p·W, without
    /// interpolation. When the cumulative weight up to some value equals p·W exactly, that value is Q(p):
    /// values 2 and 4 with equal weights have median 2, not 3 and not 4.
    /// </summary>
    public double Quantile(double p)
    {
        if (!(p > 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in (0, 1].");
        var threshold = p * TotalWeight - 1e-9 * TotalWeight;
        var cumulative = 0.0;
        for (var i = 0; i < _values.Length; i++)
        {
            cumulative += _weights[i];
            if (cumulative >= threshold) return _values[i];
        }
        return _values[^1];
    }

    /// <summary>Q(0.5).</summary>
    public double Median => Quantile(0.5);

    /// <summary>Q(0.75) − Q(0.25).</summary>
    public double Iqr => Quantile(0.75) - Quantile(0.25);

    /// <summary>Population standard deviation: sqrt(Σwᵢ(xᵢ − mean)² / W).</summary>
    public double StandardDeviation
    {
        get
        {
            var mean = Mean;
            var sum = 0.0;
            for (var i = 0; i < _values.Length; i++) sum += _weights[i] * (_values[i] - mean) * (_values[i] - mean);
            return Math.Sqrt(sum / TotalWeight);
        }
    }

    /// <summary>
    /// Tastle &amp; Wierman consensus: 1 + Σₖ pₖ·log2(1 − |k − mean| / width) over the distinct values k, with pₖ
    /// the weight share of k and width the scale's span (4 on the 1–5 indicator scale). 1 = full agreement,
    /// 0 = an even split between the two ends of the scale.
    /// </summary>
    public double Consensus(double scaleWidth)
    {
        if (!(scaleWidth > 0)) throw new ArgumentOutOfRangeException(nameof(scaleWidth), scaleWidth, "The scale width must be positive.");
        var mean = Mean;
        var sum = 0.0;
        var i = 0;
        while (i < _values.Length)
        {
            var k = _values[i];
            var weightOfK = 0.0;
            for (; i < _values.Length && _values[i] == k; i++) weightOfK += _weights[i];
            sum += weightOfK / TotalWeight * Math.Log2(1 - Math.Abs(k - mean) / scaleWidth);
        }
        return 1 + sum;
    }
}
