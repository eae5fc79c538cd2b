using Consultation.Core.Aggregation;
using Consultation.Core.Workshops;

namespace Consultation.Core.Tests.Workshops;

public sealed class LiveResultsTests
{
    private static readonly AggregationSettings Settings = new() { MinOrganisations = 3 };

    private static WorkshopScore S(long participant, string item, int value, int? value2 = null, long? org = null, string category = "NGO") =>
        new() { ParticipantId = participant, OrganisationId = org, Category = category, ItemKey = item, Value = value, Value2 = value2 };

    [Fact]
    public void Pestle_board_uses_each_participants_own_impact_times_likelihood()
    {
        // DOMAIN.md rule 6: (4,5), (3,3), (5,2) → 20, 9, 10 → 13.0, not the product of means.
        var exercise = new ExerciseFacts { Type = ExerciseTypes.Pestle, State = ExerciseState.Open, Phase = ExercisePhase.Score, Factors = [1, 2] };
        var factors = new[] { new WorkshopFactor { Id = 1, Dimension = "LEGAL", Text = "a" }, new WorkshopFactor { Id = 2, Dimension = "SOCIAL", Text = "b" } };
        var r = LiveResults.Compute(9, exercise,
            [S(1, "factor:1", 4, 5), S(2, "factor:1", 3, 3), S(3, "factor:1", 5, 2), S(1, "factor:2", 5, 5), S(2, "factor:2", 5, 5), S(3, "factor:2", 5, 5)],
            factors, Settings);

        Assert.Equal([2L, 1L], r.Factors.Select(f => f.Id));
        Assert.Equal(13.0, r.Factors.Single(f => f.Id == 1).Score);
        Assert.Equal(25.0, r.Factors.Single(f => f.Id == 2).Score);
        Assert.Equal(3, r.Answered);
    }

    [Fact]
    public void Participants_count_as_one_organisation_each_unless_members_of_one()
    {
        var exercise = new ExerciseFacts { Type = ExerciseTypes.SocialTolerance, State = ExerciseState.Open, CrimeAreas = ["DRUGS"] };
        var pseudonymous = LiveResults.Compute(1, exercise, [S(1, "DRUGS", 1), S(2, "DRUGS", 1), S(3, "DRUGS", 5)], [], Settings);
        var item = Assert.Single(pseudonymous.Items);
        Assert.False(item.Suppressed);
        Assert.Equal(3, item.Organisations);
        Assert.Equal(2.3333, item.WeightedMean);
        Assert.Equal([2, 0, 0, 0, 1], item.Histogram);

        // Two members of organisation 40 share one voice: (1/2·1 + 1/2·1) and 5 → 3 equal voices needed, only 2.
        var members = LiveResults.Compute(1, exercise, [S(1, "DRUGS", 1, org: 40), S(2, "DRUGS", 1, org: 40), S(3, "DRUGS", 5)], [], Settings);
        Assert.True(members.Items[0].Suppressed);
        Assert.Empty(members.Items[0].Histogram);
        Assert.Null(members.Items[0].WeightedMean);
    }

    [Fact]
    public void Indicators_use_the_evidence_cell_statistics_with_round_category_weights()
    {
        var settings = Settings with { CategoryWeights = new Dictionary<string, double> { ["AGENCY"] = 3.0 } };
        var exercise = new ExerciseFacts { Type = ExerciseTypes.Indicators, State = ExerciseState.Open, CrimeAreas = ["THB"] };
        var r = LiveResults.Compute(1, exercise,
            [S(1, "THB/DAMAGE", 5, category: "AGENCY"), S(2, "THB/DAMAGE", 1), S(3, "THB/DAMAGE", 1)], [], settings);

        Assert.Equal(5, r.Items.Count);
        var damage = r.Items.Single(i => i.Key == "THB/DAMAGE");
        Assert.Equal(3.4, damage.WeightedMean); // (3·5 + 1 + 1) / 5
        Assert.NotNull(damage.Consensus);
        Assert.True(r.Items.Single(i => i.Key == "THB/SCOPE").Suppressed);
    }

    [Fact]
    public void Scale_poll_has_mean_and_consensus_choice_poll_counts_only()
    {
        var scale = new ExerciseFacts { Type = ExerciseTypes.Poll, State = ExerciseState.Open };
        var r = LiveResults.Compute(1, scale, [S(1, "poll", 4), S(2, "poll", 4), S(3, "poll", 4)], [], Settings);
        Assert.Equal(4.0, r.Items[0].WeightedMean);
        Assert.Equal(1.0, r.Items[0].Consensus);

        var choice = scale with { PollChoices = ["a", "b", "c"] };
        var c = LiveResults.Compute(1, choice, [S(1, "poll", 1), S(2, "poll", 3), S(3, "poll", 3)], [], Settings);
        Assert.Equal([1, 0, 2], c.Items[0].Histogram);
        Assert.Null(c.Items[0].WeightedMean);
    }

    [Fact]
    public void Scores_for_items_no_longer_in_the_exercise_are_ignored()
    {
        var exercise = new ExerciseFacts { Type = ExerciseTypes.Pestle, State = ExerciseState.Open, Phase = ExercisePhase.Score, Factors = [1] };
        var r = LiveResults.Compute(1, exercise, [S(1, "factor:2", 5, 5)], [new WorkshopFactor { Id = 1, Dimension = "LEGAL", Text = "a" }], Settings);
        Assert.Equal(0, r.Answered);
        Assert.True(Assert.Single(r.Factors).Suppressed);
    }
}
