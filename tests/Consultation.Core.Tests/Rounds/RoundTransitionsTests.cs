using Consultation.Core.Rounds;

namespace Consultation.Core.Tests.Rounds;

public sealed class RoundTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static RoundFacts Ready(RoundStatus status = RoundStatus.Draft) => new()
    {
        Status = status, ClosesAt = Now.AddDays(30), PublishedQuestionnaires = 1, InvitedOrganisations = 2,
    };

    [Fact]
    public void Draft_with_published_questionnaire_and_invited_organisation_opens() =>
        Assert.True(RoundTransitions.Decide(Ready(), RoundStatus.Open, Now).Allowed);

    [Fact]
    public void Opening_without_published_questionnaire_is_refused()
    {
        var d = RoundTransitions.Decide(Ready() with { PublishedQuestionnaires = 0 }, RoundStatus.Open, Now);
        Assert.False(d.Allowed);
        Assert.Equal(RoundRefusals.NoPublishedQuestionnaire, d.Refusal);
    }

    [Fact]
    public void Opening_without_invited_organisation_is_refused() =>
        Assert.Equal(RoundRefusals.NoInvitedOrganisation,
            RoundTransitions.Decide(Ready() with { InvitedOrganisations = 0 }, RoundStatus.Open, Now).Refusal);

    [Fact]
    public void Opening_after_the_closing_time_is_refused() =>
        Assert.Equal(RoundRefusals.ClosingTimePassed,
            RoundTransitions.Decide(Ready() with { ClosesAt = Now }, RoundStatus.Open, Now).Refusal);

    [Fact]
    public void Open_round_closes_manually_before_its_closing_time() =>
        Assert.True(RoundTransitions.Decide(Ready(RoundStatus.Open), RoundStatus.Closed, Now).Allowed);

    [Fact]
    public void Automatic_close_waits_for_the_closing_time()
    {
        var round = Ready(RoundStatus.Open);
        Assert.Equal(RoundRefusals.NotYetClosingTime, RoundTransitions.Decide(round, RoundStatus.Closed, Now, TransitionTrigger.ClosingTime).Refusal);
        Assert.True(RoundTransitions.Decide(round, RoundStatus.Closed, round.ClosesAt, TransitionTrigger.ClosingTime).Allowed);
    }

    [Theory]
    [InlineData(RoundStatus.Closed, RoundStatus.Open)]
    [InlineData(RoundStatus.Archived, RoundStatus.Open)]
    [InlineData(RoundStatus.Archived, RoundStatus.Closed)]
    [InlineData(RoundStatus.Draft, RoundStatus.Closed)]
    [InlineData(RoundStatus.Draft, RoundStatus.Archived)]
    [InlineData(RoundStatus.Open, RoundStatus.Archived)]
    [InlineData(RoundStatus.Open, RoundStatus.Draft)]
    [InlineData(RoundStatus.Open, RoundStatus.Open)]
    public void Other_transitions_are_refused_with_a_reason(RoundStatus from, RoundStatus to)
    {
        var d = RoundTransitions.Decide(Ready(from), to, Now);
        Assert.False(d.Allowed);
        Assert.Equal(RoundRefusals.NotAllowedFromStatus, d.Refusal);
    }

    [Fact]
    public void Closed_round_archives() =>
        Assert.True(RoundTransitions.Decide(Ready(RoundStatus.Closed), RoundStatus.Archived, Now).Allowed);

    [Fact]
    public void Only_open_rounds_past_closing_time_are_due_for_auto_close()
    {
        Assert.True(RoundTransitions.IsDueForAutoClose(RoundStatus.Open, Now, Now));
        Assert.False(RoundTransitions.IsDueForAutoClose(RoundStatus.Open, Now.AddSeconds(1), Now));
        Assert.False(RoundTransitions.IsDueForAutoClose(RoundStatus.Draft, Now.AddDays(-1), Now));
    }

    [Fact]
    public void Status_names_round_trip_and_unknown_names_fail()
    {
        Assert.Equal(RoundStatus.Archived, RoundStatuses.Parse("Archived"));
        Assert.False(RoundStatuses.TryParse("OPEN", out _));
        Assert.False(RoundStatuses.TryParse("7", out _));
    }
}
