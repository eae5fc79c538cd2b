using Consultation.Core.Responses;
using Consultation.Core.Rounds;

namespace Consultation.Core.Tests.Responses;

public sealed class ResponseRulesTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Now.AddDays(10);

    [Theory]
    [InlineData(ResponseAction.SaveDraft, null)]
    [InlineData(ResponseAction.Submit, ResponseStatus.Draft)]
    [InlineData(ResponseAction.Submit, ResponseStatus.Submitted)]
    [InlineData(ResponseAction.Submit, ResponseStatus.Withdrawn)]
    [InlineData(ResponseAction.Withdraw, ResponseStatus.Submitted)]
    public void Open_round_allows_drafts_submissions_amendments_and_withdrawal(ResponseAction action, string? status)
    {
        Assert.Null(ResponseRules.Refusal(action, RoundStatus.Open, Later, status, Now));
    }

    [Theory]
    [InlineData(ResponseStatus.Draft)]
    [InlineData(ResponseStatus.Withdrawn)]
    [InlineData(null)]
    public void Only_a_submitted_response_can_be_withdrawn(string? status)
    {
        Assert.Equal(ResponseRefusals.NotSubmitted, ResponseRules.Refusal(ResponseAction.Withdraw, RoundStatus.Open, Later, status, Now));
    }

    [Theory]
    [InlineData(RoundStatus.Closed)]
    [InlineData(RoundStatus.Archived)]
    public void Closed_round_refuses_everything(RoundStatus round)
    {
        foreach (var action in Enum.GetValues<ResponseAction>())
            Assert.Equal(ResponseRefusals.RoundClosed, ResponseRules.Refusal(action, round, Later, ResponseStatus.Submitted, Now));
    }

    [Fact]
    public void Closing_time_passed_counts_as_closed_before_the_background_pass_runs()
    {
        Assert.Equal(ResponseRefusals.RoundClosed, ResponseRules.Refusal(ResponseAction.Submit, RoundStatus.Open, Now, ResponseStatus.Draft, Now));
    }

    [Fact]
    public void Draft_round_is_not_open()
    {
        Assert.Equal(ResponseRefusals.RoundNotOpen, ResponseRules.Refusal(ResponseAction.SaveDraft, RoundStatus.Draft, Later, null, Now));
    }
}
