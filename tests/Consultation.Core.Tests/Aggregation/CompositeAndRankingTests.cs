using Consultation.Core.Aggregation;
using Consultation.Core.Scales;
using static Consultation.Core.Tests.Aggregation.Build;

namespace Consultation.Core.Tests.Aggregation;

public sealed class CompositeAndRankingTests
{
    private static IEnumerable<ScoreValue> ThreeOrganisations(string crimeArea, double value) =>
        ThreeOrganisationKeys.SelectMany(o => Area(crimeArea, value, o));

    [Fact]
    public void Ties_share_the_rank_and_the_next_rank_is_skipped() =>
        Assert.Equal([1, 2, 2, 4], Ranking.Competition([3.0, 2.0, 2.0, 1.0]));

    [Fact]
    public void Ties_are_judged_on_the_reported_four_decimal_figures()
    {
        Assert.Equal([1, 1], Ranking.Competition([2.00001, 2.00004]));
        Assert.Equal([2, 1], Ranking.Competition([2.00004, 2.00006]));
    }

    [Fact]
    public void Areas_without_a_composite_are_not_ranked_and_take_no_place() =>
        Assert.Equal([null, 1, 2], Ranking.Competition([null, 3.0, 2.0]));

    [Fact]
    public void Crime_areas_with_equal_composites_share_a_rank()
    {
        var evidence = Aggregator.Aggregate(
            [
                .. ThreeOrganisations(CrimeAreas.Drugs, 5),
                .. ThreeOrganisations(CrimeAreas.Thb, 4),
                .. ThreeOrganisations(CrimeAreas.Cyber, 4),
                .. ThreeOrganisations(CrimeAreas.Firearms, 3),
            ],
            AggregationSettings.Default);

        Assert.Equal(
            [
                new CrimeAreaScore(CrimeAreas.Drugs, 5, 1),
                new CrimeAreaScore(CrimeAreas.Cyber, 4, 2),
                new CrimeAreaScore(CrimeAreas.Thb, 4, 2),
                new CrimeAreaScore(CrimeAreas.Firearms, 3, 4),
            ],
            evidence.CrimeAreas);
    }

    [Fact]
    public void Missing_indicator_gives_no_composite()
    {
        var evidence = Aggregator.Aggregate(
            [
                .. ThreeOrganisations(CrimeAreas.Drugs, 4).Where(v => v.Indicator != Indicators.Flexibility),
                .. ThreeOrganisations(CrimeAreas.Thb, 2),
            ],
            AggregationSettings.Default);

        Assert.Null(evidence.Cell(CrimeAreas.Drugs, Indicators.Flexibility));
        Assert.Equal(new CrimeAreaScore(CrimeAreas.Drugs, null, null), evidence.CrimeArea(CrimeAreas.Drugs));
        Assert.Equal(new CrimeAreaScore(CrimeAreas.Thb, 2, 1), evidence.CrimeArea(CrimeAreas.Thb));
    }

    [Fact]
    public void One_suppressed_indicator_gives_no_composite()
    {
        var evidence = Aggregator.Aggregate(
            [
                .. ThreeOrganisations(CrimeAreas.Drugs, 4).Where(v => v.Indicator != Indicators.Damage || v.OrganisationKey != "c"),
            ],
            AggregationSettings.Default);

        Assert.True(evidence.Cell(CrimeAreas.Drugs, Indicators.Damage)!.Suppressed);
        Assert.Null(evidence.CrimeArea(CrimeAreas.Drugs)!.Composite);
    }

    [Fact]
    public void Composite_weighs_the_indicator_means_by_the_indicator_weights()
    {
        var settings = new AggregationSettings { IndicatorWeights = new Dictionary<string, double> { [Indicators.Damage] = 2 } };
        var values = ThreeOrganisations(CrimeAreas.Drugs, 1)
            .Select(v => v.Indicator == Indicators.Damage ? v with { Value = 5 } : v);

        var evidence = Aggregator.Aggregate(values, settings);

        Assert.Equal(2.3333, evidence.CrimeArea(CrimeAreas.Drugs)!.Composite); // (4·1 + 2·5) / 6
    }
}
