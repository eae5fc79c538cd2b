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
        var list = pairs as IReadOnlyCollection<(double, double)> ?? [.. pairs];
        _values = new double[list.Count];
        _weights = new double[list.Count];
        var i = 0;
        foreach (var (value, weight) in list) { _values[i] = value; _weights[i] = weight; i++; }
        Check(_values, _weights);
        Sort(_values, _weights);
        TotalWeight = Total(_weights);
        Mean = WeightedSum(_values, _weights) / TotalWeight;
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
    public double Quantile(double p) => Quantile(_values, _weights, TotalWeight, p);

    /// <summary>Q(0.5).</summary>
    public double Median => Quantile(0.5);

    /// <summary>Q(0.75) − Q(0.25).</summary>
    public double Iqr => Quantile(0.75) - Quantile(0.25);

    /// <summary>Population standard deviation: sqrt(Σwᵢ(xᵢ − mean)² / W).</summary>
    public double StandardDeviation => Deviation(_values, _weights, TotalWeight, Mean);

    /// <summary>
    /// Tastle &amp; Wierman consensus: 1 + Σₖ pₖ·log2(1 − |k − mean| / width) over the distinct values k, with pₖ
    /// the weight share of k and width the scale's span (4 on the 1–5 indicator scale). 1 = full agreement,
    /// 0 = an even split between the two ends of the scale.
    /// </summary>
    public double Consensus(double scaleWidth) => Consensus(_values, _weights, TotalWeight, Mean, scaleWidth);

    // The span forms below let the aggregator reuse one pair of scratch arrays for every cell. Each sum runs
    // sequentially in sorted order, exactly as the formulas are written, so results are reproducible to the last bit.

    internal static void Check(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        if (values.Length == 0) throw new ArgumentException("A sample needs at least one value.", nameof(values));
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i])) throw new ArgumentOutOfRangeException(nameof(values), values[i], "Values must be finite.");
            if (!double.IsFinite(weights[i]) || weights[i] <= 0) throw new ArgumentOutOfRangeException(nameof(weights), weights[i], "Weights must be positive and finite.");
        }
    }

    /// <summary>Sorts ascending by value, ties by weight (pairs equal in both are interchangeable in every sum).</summary>
    internal static void Sort(Span<double> values, Span<double> weights)
    {
        values.Sort(weights);
        var start = 0;
        while (start < values.Length)
        {
            var end = start + 1;
            while (end < values.Length && values[end] == values[start]) end++;
            if (end - start > 1) weights[start..end].Sort();
            start = end;
        }
    }

    internal static double Total(ReadOnlySpan<double> weights)
    {
        var sum = 0.0;
        foreach (var w in weights) sum += w;
        return sum;
    }

    internal static double WeightedSum(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++) sum += weights[i] * values[i];
        return sum;
    }

    internal static double Quantile(ReadOnlySpan<double> values, ReadOnlySpan<double> weights, double total, double p)
    {
        if (!(p > 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in (0, 1].");
        var threshold = p * total - RelativeTolerance * total;
        var cumulative = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            cumulative += weights[i];
            if (cumulative >= threshold) return values[i];
        }
        return values[^1];
    }

    internal static double Deviation(ReadOnlySpan<double> values, ReadOnlySpan<double> weights, double total, double mean)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++) sum += weights[i] * (values[i] - mean) * (values[i] - mean);
        return Math.Sqrt(sum / total);
    }

    internal static double Consensus(ReadOnlySpan<double> values, ReadOnlySpan<double> weights, double total, double mean, double scaleWidth)
    {
        if (!(scaleWidth > 0)) throw new ArgumentOutOfRangeException(nameof(scaleWidth), scaleWidth, "The scale width must be positive.");
        var sum = 0.0;
        var i = 0;
        while (i < values.Length)
        {
            var k = values[i];
            var weightOfK = 0.0;
            for (; i < values.Length && values[i] == k; i++) weightOfK += weights[i];
            sum += weightOfK / total * Math.Log2(1 - Math.Abs(k - mean) / scaleWidth);
        }
        return 1 + sum;
    }

    // Run-length forms: a cell of a large round holds many equal (value, weight) pairs, so the aggregator counts the
    // distinct pairs instead of sorting every value. Each loop still adds one weight per value, in sorted order, so
    // every sum is the same sequence of additions as above and gives the same bits.

    /// <summary>Distinct (value, weight) pairs sorted by value then weight, with how many values each stands for.</summary>
    internal readonly record struct Run(double Value, double Weight, int Count) : IComparable<Run>
    {
        public int CompareTo(Run other)
        {
            var byValue = Value.CompareTo(other.Value);
            return byValue != 0 ? byValue : Weight.CompareTo(other.Weight);
        }
    }

    internal static double Total(ReadOnlySpan<Run> runs)
    {
        var sum = 0.0;
        foreach (var r in runs)
            for (var c = 0; c < r.Count; c++) sum += r.Weight;
        return sum;
    }

    internal static double WeightedSum(ReadOnlySpan<Run> runs)
    {
        var sum = 0.0;
        foreach (var r in runs)
        {
            var product = r.Weight * r.Value;
            for (var c = 0; c < r.Count; c++) sum += product;
        }
        return sum;
    }

    internal static double Quantile(ReadOnlySpan<Run> runs, double total, double p)
    {
        if (!(p > 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "p must be in (0, 1].");
        var threshold = p * total - RelativeTolerance * total;
        var cumulative = 0.0;
        foreach (var r in runs)
            for (var c = 0; c < r.Count; c++)
            {
                cumulative += r.Weight;
                if (cumulative >= threshold) return r.Value;
            }
        return runs[^1].Value;
    }

    internal static double Deviation(ReadOnlySpan<Run> runs, double total, double mean)
    {
        var sum = 0.0;
        foreach (var r in runs)
        {
            var term = r.Weight * (r.Value - mean) * (r.Value - mean);
            for (var c = 0; c < r.Count; c++) sum += term;
        }
        return Math.Sqrt(sum / total);
    }

    internal static double Consensus(ReadOnlySpan<Run> runs, double total, double mean, double scaleWidth)
    {
        if (!(scaleWidth > 0)) throw new ArgumentOutOfRangeException(nameof(scaleWidth), scaleWidth, "The scale width must be positive.");
        var sum = 0.0;
        var i = 0;
        while (i < runs.Length)
        {
            var k = runs[i].Value;
            var weightOfK = 0.0;
            for (; i < runs.Length && runs[i].Value == k; i++)
                for (var c = 0; c < runs[i].Count; c++) weightOfK += runs[i].Weight;
            sum += weightOfK / total * Math.Log2(1 - Math.Abs(k - mean) / scaleWidth);
        }
        return 1 + sum;
    }
}
