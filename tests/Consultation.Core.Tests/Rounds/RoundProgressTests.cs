using Consultation.Core.Rounds;

namespace Consultation.Core.Tests.Rounds;

public sealed class RoundProgressTests
{
    [Theory]
    [InlineData(new string[0], "NotStarted")]
    [InlineData(new[] { "Draft" }, "Draft")]
    [InlineData(new[] { "Withdrawn" }, "Withdrawn")]
    [InlineData(new[] { "Withdrawn", "Draft" }, "Draft")]
    [InlineData(new[] { "Draft", "Submitted", "Withdrawn" }, "Submitted")]
    public void Most_advanced_response_of_an_organisation_counts(string[] statuses, string expected) =>
        Assert.Equal(expected, RoundProgress.Combine(statuses));

    [Fact]
    public void Organisation_is_reminded_until_every_questionnaire_is_submitted()
    {
        Assert.True(RoundProgress.NeedsReminder(["Submitted", "Draft"]));
        Assert.True(RoundProgress.NeedsReminder(["Withdrawn"]));
        Assert.False(RoundProgress.NeedsReminder(["Submitted", "Submitted"]));
    }

    private static readonly DateTimeOffset Closes = new(2030, 2, 10, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Automatic_reminder_is_due_from_n_days_before_closing_until_closing()
    {
        Assert.Null(ReminderSchedule.DueKey(RoundStatus.Open, Closes, 3, Closes.AddDays(-3).AddSeconds(-1)));
        Assert.Equal("auto:3d:2030-02-10T16:00:00Z", ReminderSchedule.DueKey(RoundStatus.Open, Closes, 3, Closes.AddDays(-3)));
        Assert.NotNull(ReminderSchedule.DueKey(RoundStatus.Open, Closes, 3, Closes.AddSeconds(-1)));
        Assert.Null(ReminderSchedule.DueKey(RoundStatus.Open, Closes, 3, Closes));
    }

    [Fact]
    public void No_automatic_reminder_without_a_setting_or_outside_an_open_round()
    {
        Assert.Null(ReminderSchedule.DueKey(RoundStatus.Open, Closes, null, Closes.AddDays(-1)));
        Assert.Null(ReminderSchedule.DueKey(RoundStatus.Draft, Closes, 3, Closes.AddDays(-1)));
        Assert.Null(ReminderSchedule.DueKey(RoundStatus.Closed, Closes, 3, Closes.AddDays(-1)));
    }

    [Fact]
    public void Moving_the_closing_time_or_the_days_makes_a_new_schedule() =>
        Assert.Equal(3, new[]
        {
            ReminderSchedule.DueKey(RoundStatus.Open, Closes, 3, Closes.AddDays(-1)),
            ReminderSchedule.DueKey(RoundStatus.Open, Closes.AddDays(1), 3, Closes.AddDays(-1)),
            ReminderSchedule.DueKey(RoundStatus.Open, Closes, 5, Closes.AddDays(-1)),
        }.Distinct().Count());
}
