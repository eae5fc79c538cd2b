using Consultation.Core.Scales;

namespace Consultation.Core.Aggregation;

/// <summary>
/// Turns score values into evidence following DOMAIN.md, "Aggregation rules" exactly. The caller passes only
/// values that count (submitted responses at their latest revision, workshop scores); this class does no I/O.
/// </summary>
public static class Aggregator
{
    /// <summary>
    /// Identifies the formulas below; a snapshot stores it so that a later change of a formula is visible.
    /// Change it whenever a result for the same input could change.
    /// </summary>
    public const string FormulaVersion = "consultation-scores/1";

    /// <summary>Span of the 1–5 indicator scale, the denominator of the consensus formula.</summary>
    internal const double IndicatorScaleWidth = Indicators.Max - Indicators.Min;

    /// <summary>
    /// Rules 1–5: statistics per crime area × indicator cell, composite score per crime area and ranks.
    /// Composites are computed from the unrounded means and rounded only when reported.
    /// </summary>
    public static Evidence Aggregate(IEnumerable<ScoreValue> values, AggregationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var list = values.ToList();
        foreach (var v in list) Check(v);
        var accumulator = new ScoreAccumulator(settings);
        foreach (var v in list)
        {
            var origin = accumulator.Origin(accumulator.Organisation(v.OrganisationKey), v.Category, v.Grading, v.Source);
            accumulator.Add(accumulator.Cell(v.CrimeArea, v.Indicator), origin, v.Confidence, v.Value);
        }
        return accumulator.ToEvidence();
    }

    /// <summary>Rule 5 over the cells: composites from the unrounded means, competition ranks.</summary>
    internal static Evidence Rank(Dictionary<CellKey, CellStatistics> cells, Dictionary<CellKey, double> means, AggregationSettings settings)
    {
        var areas = cells.Keys.Select(k => k.CrimeArea).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var composites = areas.Select(a => Composite(a, means, settings)).ToList();
        var ranks = Ranking.Competition(composites);
        var scores = areas
            .Select((a, i) => new CrimeAreaScore(a, Figures.Round(composites[i]), ranks[i]))
            .OrderBy(s => s.Rank ?? int.MaxValue).ThenBy(s => s.CrimeArea, StringComparer.Ordinal)
            .ToList();

        return new Evidence(FormulaVersion, settings, cells, scores);
    }

    /// <summary>
    /// Rule 6: per factor, the weighted mean of each respondent's own impact × likelihood, with the weights,
    /// one voice per organisation and suppression of rules 1, 2 and 4; ranked overall and within each dimension.
    /// </summary>
    public static PestleRanking AggregatePestle(IEnumerable<PestleValue> values, AggregationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var list = values.ToList();
        foreach (var v in list) Check(v);

        var factors = new List<(PestleScore Score, double? Unrounded)>();
        foreach (var group in list.GroupBy(v => v.FactorKey, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var dimensions = group.Select(v => v.Dimension).Distinct(StringComparer.Ordinal).ToList();
            if (dimensions.Count != 1)
                throw new ArgumentException($"PESTLE factor {group.Key} is filed under more than one dimension: {string.Join(", ", dimensions)}.", nameof(values));

            var contributions = Contributions(group, v => v.OrganisationKey, v => v.Impact * v.Likelihood,
                v => (v.Category, v.Grading, v.Confidence, v.Source), settings);
            var score = new PestleScore
            {
                FactorKey = group.Key,
                Dimension = dimensions[0],
                N = contributions.Count,
                Organisations = contributions.Select(c => c.OrganisationKey).Distinct(StringComparer.Ordinal).Count(),
                MinOrganisations = settings.MinOrganisations,
                Contributions = contributions,
            };
            double? mean = score.Suppressed ? null : new WeightedSample(contributions.Select(c => (c.Value, c.Weight))).Mean;
            factors.Add((score with { Score = Figures.Round(mean) }, mean));
        }

        var overall = Ranking.Competition([.. factors.Select(f => f.Unrounded)]);
        var ranked = factors.Select((f, i) => f.Score with { Rank = overall[i] }).ToList();
        foreach (var dimension in ranked.Select(f => f.Dimension).Distinct(StringComparer.Ordinal).ToList())
        {
            var indices = Enumerable.Range(0, ranked.Count).Where(i => ranked[i].Dimension == dimension).ToList();
            var inDimension = Ranking.Competition([.. indices.Select(i => factors[i].Unrounded)]);
            for (var j = 0; j < indices.Count; j++) ranked[indices[j]] = ranked[indices[j]] with { DimensionRank = inDimension[j] };
        }

        return new PestleRanking(FormulaVersion, settings,
            [.. ranked.OrderBy(f => f.Rank ?? int.MaxValue).ThenBy(f => f.FactorKey, StringComparer.Ordinal)]);
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
    }

    private static void Check(ScoreValue v)
    {
        ArgumentNullException.ThrowIfNull(v);
        CheckCommon(v.CrimeArea, v.OrganisationKey, v.Category, v.Grading, v.Source);
        if (!Indicators.IsKnown(v.Indicator))
            throw new ArgumentException($"Unknown indicator '{v.Indicator}' ({v.Source}).", nameof(v));
        if (!double.IsFinite(v.Value) || !Indicators.InScale(v.Value))
            throw new ArgumentOutOfRangeException(nameof(v), v.Value, $"Score of {v.Source} must be within {Indicators.Min}–{Indicators.Max}.");
    }

    private static void Check(PestleValue v)
    {
        ArgumentNullException.ThrowIfNull(v);
        CheckCommon(v.FactorKey, v.OrganisationKey, v.Category, v.Grading, v.Source);
        if (!PestleDimensions.IsKnown(v.Dimension))
            throw new ArgumentException($"Unknown PESTLE dimension '{v.Dimension}' ({v.Source}).", nameof(v));
        if (!double.IsFinite(v.Impact) || !Indicators.InScale(v.Impact) || !double.IsFinite(v.Likelihood) || !Indicators.InScale(v.Likelihood))
            throw new ArgumentOutOfRangeException(nameof(v), $"Impact and likelihood of {v.Source} must be within 1–5.");
    }

    private static void CheckCommon(string key, string organisationKey, string category, Grading? grading, SourceRef source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentException.ThrowIfNullOrEmpty(organisationKey);
        ArgumentNullException.ThrowIfNull(category);
        if (grading is { } g && (!Grading.IsValidSource(g.Source) || !Grading.IsValidInformation(g.Information)))
            throw new ArgumentOutOfRangeException(nameof(grading), g.ToString(), $"Grading of {source} is not a Europol 4x4 grading.");
    }
}
