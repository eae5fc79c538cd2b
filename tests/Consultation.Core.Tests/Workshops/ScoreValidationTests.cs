using Consultation.Core.Workshops;

namespace Consultation.Core.Tests.Workshops;

public sealed class ScoreValidationTests
{
    private static readonly ExerciseFacts Indicators = new()
    {
        Type = ExerciseTypes.Indicators, State = ExerciseState.Open, CrimeAreas = ["DRUGS", "THB"],
    };

    [Theory]
    [InlineData(1)] [InlineData(3)] [InlineData(5)]
    public void Values_on_the_scale_for_a_known_item_are_accepted(int value) =>
        Assert.True(ScoreValidation.Check(Indicators, "THB/DAMAGE", value, null).Allowed);

    [Theory]
    [InlineData(0)] [InlineData(6)] [InlineData(-1)] [InlineData(int.MaxValue)]
    public void Values_outside_1_to_5_are_refused(int value) =>
        Assert.Equal(WorkshopRefusals.OutOfScale, ScoreValidation.Check(Indicators, "DRUGS/SCOPE", value, null).Refusal);

    [Theory]
    [InlineData("CYBER/SCOPE")] [InlineData("DRUGS/CONFIDENCE")] [InlineData("DRUGS")] [InlineData("")] [InlineData(null)]
    public void Items_not_in_the_exercise_are_refused(string? item) =>
        Assert.Equal(WorkshopRefusals.UnknownItem, ScoreValidation.Check(Indicators, item, 3, null).Refusal);

    [Theory]
    [InlineData(ExerciseState.Locked, WorkshopRefusals.Locked)]
    [InlineData(ExerciseState.Done, WorkshopRefusals.Closed)]
    [InlineData(ExerciseState.Pending, WorkshopRefusals.NotOpen)]
    public void Scores_are_refused_unless_the_exercise_is_open(ExerciseState state, string refusal) =>
        Assert.Equal(refusal, ScoreValidation.Check(Indicators with { State = state }, "DRUGS/SCOPE", 3, null).Refusal);

    [Fact]
    public void Social_tolerance_items_are_the_round_crime_areas()
    {
        var st = Indicators with { Type = ExerciseTypes.SocialTolerance };
        Assert.True(ScoreValidation.Check(st, "DRUGS", 2, null).Allowed);
        Assert.False(ScoreValidation.Check(st, "DRUGS/SOCIAL_TOLERANCE", 2, null).Allowed);
    }

    [Fact]
    public void Pestle_needs_the_scoring_phase_a_live_factor_and_both_values()
    {
        var pestle = new ExerciseFacts { Type = ExerciseTypes.Pestle, State = ExerciseState.Open, Phase = ExercisePhase.Score, Factors = [7] };
        Assert.True(ScoreValidation.Check(pestle, "factor:7", 4, 5).Allowed);
        Assert.Equal(WorkshopRefusals.LikelihoodMissing, ScoreValidation.Check(pestle, "factor:7", 4, null).Refusal);
        Assert.Equal(WorkshopRefusals.OutOfScale, ScoreValidation.Check(pestle, "factor:7", 4, 6).Refusal);
        Assert.Equal(WorkshopRefusals.UnknownItem, ScoreValidation.Check(pestle, "factor:8", 4, 4).Refusal);
        Assert.Equal(WorkshopRefusals.CollectingFactors, ScoreValidation.Check(pestle with { Phase = ExercisePhase.Collect }, "factor:7", 4, 4).Refusal);
    }

    [Fact]
    public void Choice_poll_accepts_one_of_its_choices()
    {
        var poll = new ExerciseFacts { Type = ExerciseTypes.Poll, State = ExerciseState.Open, PollChoices = ["yes", "no"] };
        Assert.True(ScoreValidation.Check(poll, "poll", 2, null).Allowed);
        Assert.Equal(WorkshopRefusals.OutOfScale, ScoreValidation.Check(poll, "poll", 3, null).Refusal);
        Assert.Equal(WorkshopRefusals.OutOfScale, ScoreValidation.Check(poll with { PollChoices = [] }, "poll", 6, null).Refusal);
    }

    [Fact]
    public void New_factors_only_while_collecting()
    {
        var pestle = new ExerciseFacts { Type = ExerciseTypes.Pestle, State = ExerciseState.Open };
        Assert.True(ScoreValidation.CheckNewFactor(pestle, "LEGAL", "Visa liberalisation").Allowed);
        Assert.False(ScoreValidation.CheckNewFactor(pestle, "MORAL", "x").Allowed);
        Assert.False(ScoreValidation.CheckNewFactor(pestle, "LEGAL", "  ").Allowed);
        Assert.Equal(WorkshopRefusals.FactorText, ScoreValidation.CheckNewFactor(pestle, "LEGAL", "  ").Refusal);
        Assert.Equal(WorkshopRefusals.FactorText, ScoreValidation.CheckNewFactor(pestle, "LEGAL", new string('x', ScoreValidation.FactorTextMax + 1)).Refusal);
        // One line, no control characters (a NUL would also fail PostgreSQL's insert); surrounding whitespace is trimmed.
        Assert.Equal(WorkshopRefusals.FactorText, ScoreValidation.CheckNewFactor(pestle, "LEGAL", "Visa\u0000 liberalisation").Refusal);
        Assert.Equal(WorkshopRefusals.FactorText, ScoreValidation.CheckNewFactor(pestle, "LEGAL", "Visa\nliberalisation").Refusal);
        Assert.True(ScoreValidation.CheckNewFactor(pestle, "LEGAL", " Visa liberalisation\n").Allowed);
        Assert.Equal(WorkshopRefusals.UnknownItem, ScoreValidation.CheckNewFactor(pestle, "MORAL", "x").Refusal);
        Assert.Equal(WorkshopRefusals.NotCollecting, ScoreValidation.CheckNewFactor(pestle with { Phase = ExercisePhase.Score }, "LEGAL", "x").Refusal);
        Assert.Equal(WorkshopRefusals.Locked, ScoreValidation.CheckNewFactor(pestle with { State = ExerciseState.Locked }, "LEGAL", "x").Refusal);
    }
}
