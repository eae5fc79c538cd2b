using Consultation.Core.Accounts;
using static Consultation.Core.Accounts.InvitationRules;

namespace Consultation.Core.Tests.Accounts;

public sealed class InvitationRulesTests
{
    private static readonly DateTimeOffset Issued = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Invitation_is_valid_until_seven_days_after_issue()
    {
        var expires = Issued + Validity;
        Assert.Equal(State.Valid, Evaluate(expires, null, null, Issued.AddDays(6.99)));
        Assert.Equal(State.Expired, Evaluate(expires, null, null, Issued.AddDays(7)));
    }

    [Fact]
    public void Used_invitation_reports_used_even_before_expiry() =>
        Assert.Equal(State.Used, Evaluate(Issued + Validity, Issued.AddHours(1), null, Issued.AddHours(2)));

    [Fact]
    public void Revoked_invitation_reports_revoked() =>
        Assert.Equal(State.Revoked, Evaluate(Issued + Validity, null, Issued.AddHours(1), Issued.AddHours(2)));

    [Fact]
    public void Roles_are_the_four_of_the_portal()
    {
        Assert.Equal(["Administrator", "Coordinator", "Facilitator", "Respondent"], Roles.All);
        Assert.False(Roles.IsKnown("Root"));
    }
}
