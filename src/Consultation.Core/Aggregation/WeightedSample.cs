namespace Consultation.Core.Aggregation;

/// <summary>
/// The statistics of rule 3 of DOMAIN.md, "Aggregation rules", over values xᵢ with weights wᵢ, unrounded.
/// Values are sorted ascending (ties by weight) once and every sum runs in that order, so the result does not
/// depend on the order the values arrive in.
/// </summary>
public sealed class WeightedSample
{
    /// <summary>
    /// Relative tolerance of the quantile comparison <c>cumulative ≥ p·W</c>. Weights are products of decimal
    /// factors that binary doubles cannot hold exactly, so a cumulative weight that equals p·W on paper can land
    /// a few ulps below it (1.5 × 1.0 × 0.6 = 0.8999999999999999 against 1.5 × 1.0 × 0.8 × 0.75 = 0.9000000000000001).
    /// Without the tolerance an exact split at the median would jump to the upper value, against the rule.
    /// </summary>
    public const double RelativeTolerance = 1e-9;

    private readonly double[] _values;
    private readonly double[] _weights;

    public WeightedSample(IEnumerable<(double Value, double Weight)> pairs)
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
        var threshold = p * TotalWeight - RelativeTolerance * TotalWeight;
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
