using Consultation.Core.Aggregation;
using Consultation.Core.Scales;
using static Consultation.Core.Tests.Aggregation.Build;

namespace Consultation.Core.Tests.Aggregation;

public sealed class PestleTests
{
    [Fact]
    public void Factor_score_is_the_mean_of_each_respondents_own_product()
    {
        // DOMAIN.md rule 6: products 20, 9, 10 → 13.0; the product of the means would give 13.3333.
        var ranking = Aggregator.AggregatePestle(
            [Pestle("visa", 4, 5, "p1"), Pestle("visa", 3, 3, "p2"), Pestle("visa", 5, 2, "p3")],
            AggregationSettings.Default);

        var factor = Assert.Single(ranking.Factors);
        Assert.Equal(13.0, factor.Score);
        Assert.Equal((3, 3, 1, 1), (factor.N, factor.Organisations, factor.Rank, factor.DimensionRank));
        Assert.Equal([20.0, 9.0, 10.0], factor.Contributions.Select(c => c.Value));
    }

    [Fact]
    public void Factor_scored_by_fewer_organisations_than_the_minimum_is_suppressed_and_unranked()
    {
        var ranking = Aggregator.AggregatePestle(
            [Pestle("visa", 4, 5, "p1"), Pestle("visa", 3, 3, "p1"), Pestle("visa", 5, 2, "p2")],
            AggregationSettings.Default);

        var factor = Assert.Single(ranking.Factors);
        Assert.True(factor.Suppressed);
        Assert.Null(factor.Score);
        Assert.Null(factor.Rank);
        Assert.Null(factor.DimensionRank);
    }

    [Fact]
    public void Factor_gives_one_voice_per_organisation()
    {
        // a: 20 and 10 at half weight each; b: 6; c: 4 → (10 + 5 + 6 + 4) / 3
        var ranking = Aggregator.AggregatePestle(
            [Pestle("f", 4, 5, "a"), Pestle("f", 5, 2, "a"), Pestle("f", 3, 2, "b"), Pestle("f", 2, 2, "c")],
            AggregationSettings.Default);

        Assert.Equal(8.3333, Assert.Single(ranking.Factors).Score);
    }

    [Fact]
    public void Factors_are_ranked_overall_and_within_their_dimension()
    {
        static IEnumerable<PestleValue> Scored(string factor, string dimension, int impact, int likelihood) =>
            ThreeOrganisationKeys.Select(o => Pestle(factor, impact, likelihood, o, dimension));

        var ranking = Aggregator.AggregatePestle(
            [
                .. Scored("corruption", PestleDimensions.Political, 5, 5),
                .. Scored("elections", PestleDimensions.Political, 3, 4),
                .. Scored("inflation", PestleDimensions.Economic, 4, 3),
                .. Scored("remittances", PestleDimensions.Economic, 2, 2),
                .. Scored("crypto", PestleDimensions.Technological, 4, 4),
                Pestle("drones", 5, 5, "a", PestleDimensions.Technological),
            ],
            AggregationSettings.Default);

        Assert.Equal(
            [("corruption", 1, 1), ("crypto", 2, 1), ("elections", 3, 2), ("inflation", 3, 1), ("remittances", 5, 2)],
            ranking.Factors.Where(f => !f.Suppressed).Select(f => (f.FactorKey, f.Rank!.Value, f.DimensionRank!.Value)));
        Assert.Equal(["inflation", "remittances"], ranking.InDimension(PestleDimensions.Economic).Select(f => f.FactorKey));
        Assert.Equal("drones", ranking.Factors[^1].FactorKey);
        Assert.Null(ranking.Factors[^1].Rank);
    }

    [Fact]
    public void Factor_filed_under_two_dimensions_is_rejected() =>
        Assert.Throws<ArgumentException>(() => Aggregator.AggregatePestle(
            [Pestle("f", 3, 3, "a", PestleDimensions.Legal), Pestle("f", 3, 3, "b", PestleDimensions.Social)],
            AggregationSettings.Default));
}
