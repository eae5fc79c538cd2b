namespace Consultation.Core.Accounts;

/// <summary>Rules for invitation links: single use, valid for a fixed period from issue.</summary>
public static class InvitationRules
{
    public static readonly TimeSpan Validity = TimeSpan.FromDays(7);

    public enum State { Valid, Expired, Used, Revoked }

    /// <summary>Decides whether an invitation can still be accepted at <paramref name="now"/>.</summary>
    public static State Evaluate(DateTimeOffset expiresAt, DateTimeOffset? acceptedAt, DateTimeOffset? revokedAt, DateTimeOffset now) =>
        revokedAt is not null ? State.Revoked
        : acceptedAt is not null ? State.Used
        : now >= expiresAt ? State.Expired
        : State.Valid;
}
