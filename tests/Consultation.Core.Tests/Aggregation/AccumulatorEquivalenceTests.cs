using Consultation.Core.Aggregation;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;

namespace Consultation.Core.Tests.Aggregation;

/// <summary>
/// The array-based aggregation must give exactly the figures of the first, straightforward implementation
/// (<see cref="ReferenceAggregator"/>): same bits before rounding, same contributions in the same order.
/// </summary>
public sealed class AccumulatorEquivalenceTests
{
    public static TheoryData<int, int, int> Inputs => new()
    {
        { 1, 300, 3 },
        { 2, 400, 12 },
        { 3, 3000, 60 },
        { 4, 5000, 7 },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Array_aggregation_matches_the_reference_bit_for_bit(int seed, int count, int organisations)
    {
        var random = new Random(seed);
        string[] categories = [OrganisationCategory.Ngo, "AGENCY", "ACADEMIC", "MINISTRY", "OTHER"];
        string?[] gradings = [null, "A1", "B2", "B1", "C2", "X2", "B3", "C4"];
        string[] areas = [CrimeAreas.Drugs, "THB", "CYBER", "FRAUD"];
        var settings = new AggregationSettings
        {
            CategoryWeights = new Dictionary<string, double> { ["AGENCY"] = 1.5, ["ACADEMIC"] = 0.8, ["OTHER"] = 0.7 },
            IndicatorWeights = new Dictionary<string, double> { [Indicators.Damage] = 2, [Indicators.Scope] = 0.5 },
            DefaultGrading = Grading.Parse("C3"),
            MinOrganisations = 3,
        };
        var values = new List<ScoreValue>();
        for (var i = 0; i < count; i++)
        {
            var org = random.Next(organisations);
            var grading = gradings[random.Next(gradings.Length)];
            // Mostly whole scores (many ties), some halves and some arbitrary values inside the scale.
            var value = random.Next(4) switch { 0 => 1 + random.Next(9) / 2.0, 1 => 1 + random.NextDouble() * 4, _ => random.Next(1, 6) };
            values.Add(new ScoreValue(areas[random.Next(areas.Length)], Indicators.All[random.Next(Indicators.All.Count)],
                $"org-{org}", categories[org % categories.Length], grading is null ? null : Grading.Parse(grading),
                (Confidence)random.Next(3), value, SourceRef.Response(i + 1, 1 + random.Next(3))));
        }
        // An area with a single organisation: suppressed cells.
        values.Add(new ScoreValue("LONELY", Indicators.Scope, "org-x", OrganisationCategory.Ngo, null, Confidence.High, 4, SourceRef.Response(999_999, 1)));

        var expected = ReferenceAggregator.Aggregate(values, settings);
        var actual = Aggregator.Aggregate(values, settings);

        Assert.Equal(expected.Cells.Keys, actual.Cells.Keys);
        foreach (var (key, e) in expected.Cells)
        {
            var a = actual.Cells[key];
            Assert.Equal((e.N, e.Organisations, e.Suppressed), (a.N, a.Organisations, a.Suppressed));
            Assert.Equal(Bits(e.WeightedMean), Bits(a.WeightedMean));
            Assert.Equal(Bits(e.WeightedMedian), Bits(a.WeightedMedian));
            Assert.Equal(Bits(e.Iqr), Bits(a.Iqr));
            Assert.Equal(Bits(e.Sd), Bits(a.Sd));
            Assert.Equal(Bits(e.Consensus), Bits(a.Consensus));
            Assert.Equal(e.Agreement, a.Agreement);
            Assert.Equal(e.Contributions, a.Contributions);
            if (!e.Suppressed)
                Assert.Equal(BitConverter.DoubleToInt64Bits(new ReferenceSample(e.Contributions.Select(c => (c.Value, c.Weight))).Mean),
                    Bits(a.ExactMean));
        }
        Assert.Equal(expected.CrimeAreas, actual.CrimeAreas);
        Assert.Contains(actual.Cells.Values, c => c.Suppressed);
        Assert.Contains(actual.CrimeAreas, a => a.Rank is not null);
    }

    private static long? Bits(double? x) => x is { } v ? BitConverter.DoubleToInt64Bits(v) : null;
}
