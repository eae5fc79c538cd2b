using Consultation.Core.Workshops;

namespace Consultation.Core.Tests.Workshops;

public sealed class ExerciseStateMachineTests
{
    private static Decision Decide(ExerciseState state, ExerciseAction action, string type = ExerciseTypes.Poll, ExercisePhase phase = ExercisePhase.Collect) =>
        ExerciseStateMachine.Decide(type, state, phase, action);

    [Theory]
    [InlineData(ExerciseState.Pending, ExerciseAction.Open)]
    [InlineData(ExerciseState.Open, ExerciseAction.Lock)]
    [InlineData(ExerciseState.Locked, ExerciseAction.Open)]
    [InlineData(ExerciseState.Locked, ExerciseAction.Reveal)]
    [InlineData(ExerciseState.Open, ExerciseAction.Reveal)]
    [InlineData(ExerciseState.Revealed, ExerciseAction.Close)]
    [InlineData(ExerciseState.Open, ExerciseAction.Close)]
    public void Allowed_transitions(ExerciseState from, ExerciseAction action) =>
        Assert.True(Decide(from, action).Allowed);

    [Theory]
    [InlineData(ExerciseState.Pending, ExerciseAction.Lock)]
    [InlineData(ExerciseState.Pending, ExerciseAction.Reveal)]
    [InlineData(ExerciseState.Pending, ExerciseAction.Close)]
    [InlineData(ExerciseState.Revealed, ExerciseAction.Open)]
    [InlineData(ExerciseState.Done, ExerciseAction.Open)]
    [InlineData(ExerciseState.Done, ExerciseAction.Close)]
    [InlineData(ExerciseState.Locked, ExerciseAction.Lock)]
    public void Refused_transitions(ExerciseState from, ExerciseAction action)
    {
        var d = Decide(from, action);
        Assert.False(d.Allowed);
        Assert.Equal(WorkshopRefusals.TransitionNotAllowed, d.Refusal);
    }

    [Fact]
    public void Only_pestle_collecting_factors_starts_scoring()
    {
        Assert.True(Decide(ExerciseState.Open, ExerciseAction.StartScoring, ExerciseTypes.Pestle).Allowed);
        Assert.Equal(WorkshopRefusals.NotPestle, Decide(ExerciseState.Open, ExerciseAction.StartScoring, ExerciseTypes.Poll).Refusal);
        Assert.False(Decide(ExerciseState.Open, ExerciseAction.StartScoring, ExerciseTypes.Pestle, ExercisePhase.Score).Allowed);
        Assert.False(Decide(ExerciseState.Done, ExerciseAction.StartScoring, ExerciseTypes.Pestle).Allowed);
    }

    [Theory]
    [InlineData(ExerciseAction.Open, ExerciseState.Open)]
    [InlineData(ExerciseAction.Lock, ExerciseState.Locked)]
    [InlineData(ExerciseAction.Reveal, ExerciseState.Revealed)]
    [InlineData(ExerciseAction.Close, ExerciseState.Done)]
    [InlineData(ExerciseAction.StartScoring, ExerciseState.Open)]
    public void Target_state(ExerciseAction action, ExerciseState expected) =>
        Assert.Equal(expected, ExerciseStateMachine.Target(action, ExerciseState.Open));

    [Theory]
    [InlineData(ExerciseState.Open, null)]
    [InlineData(ExerciseState.Pending, WorkshopRefusals.NotOpen)]
    [InlineData(ExerciseState.Locked, WorkshopRefusals.Locked)]
    [InlineData(ExerciseState.Revealed, WorkshopRefusals.Closed)]
    [InlineData(ExerciseState.Done, WorkshopRefusals.Closed)]
    public void Answers_only_while_open(ExerciseState state, string? refusal) =>
        Assert.Equal(refusal, ExerciseStateMachine.AnswerRefusal(state));
}
