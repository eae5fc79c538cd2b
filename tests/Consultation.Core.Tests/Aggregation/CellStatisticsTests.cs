using Consultation.Core.Aggregation;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;
using static Consultation.Core.Tests.Aggregation.Build;

namespace Consultation.Core.Tests.Aggregation;

public sealed class CellStatisticsTests
{
    [Fact]
    public void One_value_is_its_own_mean_and_median_with_no_spread()
    {
        var cell = OnlyCell([Score(3, "a")]);

        Assert.Equal((1, 1), (cell.N, cell.Organisations));
        Assert.Equal(3, cell.WeightedMean);
        Assert.Equal(3, cell.WeightedMedian);
        Assert.Equal(0, cell.Iqr);
        Assert.Equal(0, cell.Sd);
        Assert.Equal(1, cell.Consensus);
        Assert.True(cell.Agreement);
    }

    [Fact]
    public void Equal_weights_give_the_plain_mean_and_population_sd()
    {
        var cell = OnlyCell([Score(1, "a"), Score(2, "b"), Score(4, "c"), Score(5, "d"), Score(5, "e")]);

        Assert.Equal(3.4, cell.WeightedMean);
        Assert.Equal(4, cell.WeightedMedian);
        Assert.Equal(3, cell.Iqr); // Q(0.75) = 5, Q(0.25) = 2
        Assert.Equal(1.6248, cell.Sd); // sqrt(13.2 / 5), not the sample sd 1.8166
        Assert.False(cell.Agreement);
    }

    [Fact]
    public void Equal_split_at_the_median_takes_the_lower_value()
    {
        // Cumulative weight of 2 is exactly half of W: 2 is the smallest value reaching 0.5·W.
        var cell = OnlyCell([Score(2, "a"), Score(4, "b")]);

        Assert.Equal(2, cell.WeightedMedian);
        Assert.Equal(2, cell.Iqr); // Q(0.75) = 4, Q(0.25) = 2
        Assert.Equal(3, cell.WeightedMean);
    }

    [Fact]
    public void Equal_split_at_the_median_holds_when_the_weight_products_differ_in_the_last_bit()
    {
        var settings = new AggregationSettings { MinOrganisations = 1, CategoryWeights = new Dictionary<string, double> { [OrganisationCategory.Agency] = 1.5 } };
        ScoreValue[] values =
        [
            Score(2, "a", category: OrganisationCategory.Agency, grading: "A3", confidence: Confidence.High),   // 1.5 × 1.0 × 0.6 = 0.9
            Score(4, "b", category: OrganisationCategory.Agency, grading: "A2", confidence: Confidence.Medium), // 1.5 × 1.0 × 0.8 × 0.75 = 0.9
        ];
        var lower = Weights.For(values[0], settings);
        var upper = Weights.For(values[1], settings);
        Assert.True(lower < 0.5 * (lower + upper), "precondition: in doubles the lower weight falls short of half");

        Assert.Equal(2, OnlyCell(values, settings).WeightedMedian);
    }

    [Fact]
    public void A_slightly_heavier_upper_half_moves_the_median_up()
    {
        var settings = new AggregationSettings { MinOrganisations = 1, CategoryWeights = new Dictionary<string, double> { [OrganisationCategory.Agency] = 1.0001 } };

        var cell = OnlyCell([Score(2, "a"), Score(4, "b", category: OrganisationCategory.Agency)], settings);

        Assert.Equal(4, cell.WeightedMedian);
    }

    [Fact]
    public void Consensus_is_1_for_full_agreement()
    {
        var cell = OnlyCell([Score(4, "a", grading: "A1"), Score(4, "b", grading: "C3"), Score(4, "c", confidence: Confidence.Low)]);

        Assert.Equal(1, cell.Consensus);
        Assert.Equal(0, cell.Sd);
    }

    [Fact]
    public void Consensus_is_0_for_an_even_split_between_1_and_5()
    {
        var cell = OnlyCell([Score(1, "a"), Score(5, "b")]);

        Assert.Equal(0, cell.Consensus);
        Assert.Equal(3, cell.WeightedMean);
        Assert.Equal(2, cell.Sd);
        Assert.Equal(4, cell.Iqr);
        Assert.False(cell.Agreement);
    }

    [Fact]
    public void Consensus_weighs_each_distinct_value_by_its_weight_share()
    {
        // 1 + 0.5·log2(1 − 0.5/4) + 0.5·log2(1 − 0.5/4) = 1 + log2(0.875) = 0.8074
        var cell = OnlyCell([Score(3, "a"), Score(3, "b"), Score(4, "c"), Score(4, "d")]);

        Assert.Equal(0.8074, cell.Consensus);
    }

    [Fact]
    public void Cell_below_the_minimum_group_size_shows_no_statistics()
    {
        // Three values, but only two organisations: rule 4 counts organisations, not values.
        var cell = OnlyCell([Score(2, "a"), Score(3, "a"), Score(4, "b")], AggregationSettings.Default);

        Assert.Equal((3, 2), (cell.N, cell.Organisations));
        Assert.True(cell.Suppressed);
        Assert.Equal(3, cell.MinOrganisations);
        Assert.Null(cell.WeightedMean);
        Assert.Null(cell.WeightedMedian);
        Assert.Null(cell.Iqr);
        Assert.Null(cell.Sd);
        Assert.Null(cell.Consensus);
        Assert.Null(cell.Agreement);
    }

    [Fact]
    public void Cell_at_the_minimum_group_size_shows_statistics()
    {
        var cell = OnlyCell([Score(2, "a"), Score(3, "b"), Score(4, "c")], AggregationSettings.Default);

        Assert.False(cell.Suppressed);
        Assert.Equal(3, cell.WeightedMean);
    }

    [Fact]
    public void Workshop_participants_without_organisation_count_as_one_organisation_each()
    {
        var values = Enumerable.Range(1, 3).Select(p => Score(3, OrganisationKeys.Participant(p)));

        var cell = OnlyCell(values, AggregationSettings.Default);

        Assert.Equal(3, cell.Organisations);
        Assert.False(cell.Suppressed);
    }

    [Fact]
    public void An_organisation_with_several_values_has_one_voice()
    {
        // Organisation a says 1 twice, b says 5 once: a's values weigh half each, so the mean is 3, not 2.3333.
        var cell = OnlyCell([Score(1, "a"), Score(1, "a"), Score(5, "b")]);

        Assert.Equal(3, cell.WeightedMean);
        Assert.Equal([0.32, 0.32, 0.64], cell.Contributions.Select(c => c.Weight).Order(), (x, y) => Math.Abs(x - y) < 1e-12);
    }

    [Fact]
    public void Ungraded_value_weighs_as_the_default_grading()
    {
        var b2 = Assert.Single(OnlyCell([Score(3, "a", grading: null)]).Contributions);
        Assert.Equal(Grading.Default, b2.Grading);
        Assert.False(b2.Graded);
        Assert.Equal(0.64, b2.Weight, 12);

        var a1Default = new AggregationSettings { MinOrganisations = 1, DefaultGrading = Grading.Parse("A1") };
        var a1 = Assert.Single(OnlyCell([Score(3, "a", grading: null)], a1Default).Contributions);
        Assert.Equal(Grading.Parse("A1"), a1.Grading);
        Assert.Equal(1.0, a1.Weight);
    }

    [Fact]
    public void Ungraded_and_default_graded_values_give_the_same_figures()
    {
        var ungraded = OnlyCell([Score(1, "a", grading: null), Score(5, "b", grading: "A1")]);
        var graded = OnlyCell([Score(1, "a", grading: "B2"), Score(5, "b", grading: "A1")]);

        Assert.Equal(graded.WeightedMean, ungraded.WeightedMean);
        Assert.Equal(3.439, ungraded.WeightedMean); // (0.64·1 + 1·5) / 1.64
    }

    [Fact]
    public void Source_that_cannot_be_assessed_outweighs_one_that_is_not_reliable()
    {
        // C weighs 0.5, X 0.6: (0.5·1 + 0.6·5) / 1.1
        var cell = OnlyCell([Score(1, "a", grading: "C1"), Score(5, "b", grading: "X1")]);

        Assert.Equal(3.1818, cell.WeightedMean);
    }

    [Fact]
    public void Values_outside_the_scale_or_for_unknown_indicators_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Aggregator.Aggregate([Score(6, "a")], AnyGroupSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aggregator.Aggregate([Score(0.5, "a")], AnyGroupSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aggregator.Aggregate([Score(double.NaN, "a")], AnyGroupSize));
        Assert.Throws<ArgumentException>(() => Aggregator.Aggregate([Score(3, "a", indicator: "CONFIDENCE")], AnyGroupSize));
    }
}
