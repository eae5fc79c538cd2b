namespace Consultation.Core.Rounds;

/// <summary>Life cycle of a round (DOMAIN.md, "Round"): Draft → Open → Closed → Archived. Stored by name.</summary>
public enum RoundStatus { Draft, Open, Closed, Archived }

public static class RoundStatuses
{
    public static bool TryParse(string? value, out RoundStatus status) =>
        Enum.TryParse(value, ignoreCase: false, out status) && Enum.IsDefined(status);

    public static RoundStatus Parse(string value) =>
        TryParse(value, out var s) ? s : throw new FormatException($"'{value}' is not a round status.");

    /// <summary>A closed or archived round (stored name): nothing of it can be edited any more.</summary>
    public static bool IsEnded(string? value) => value is nameof(RoundStatus.Closed) or nameof(RoundStatus.Archived);
}

/// <summary>Why a transition was refused; stable codes that pages turn into messages.</summary>
public static class RoundRefusals
{
    public const string NotAllowedFromStatus = "round.transition_not_allowed";
    public const string NoPublishedQuestionnaire = "round.no_published_questionnaire";
    public const string NoInvitedOrganisation = "round.no_invited_organisation";
    public const string ClosingTimePassed = "round.closing_time_passed";
    public const string NotYetClosingTime = "round.not_yet_closing_time";
}

/// <summary>What the guards need to know about a round; the page loads it, Core decides.</summary>
public sealed record RoundFacts
{
    public RoundStatus Status { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public int PublishedQuestionnaires { get; init; }
    public int InvitedOrganisations { get; init; }
}

/// <summary>How a transition was asked for: by a coordinator, or by the closing time passing.</summary>
public enum TransitionTrigger { Manual, ClosingTime }

public sealed record TransitionDecision
{
    public bool Allowed { get; init; }
    /// <summary>The first guard that failed, one of <see cref="RoundRefusals"/>; null when allowed.</summary>
    public string? Refusal { get; init; }

    public static TransitionDecision Allow { get; } = new() { Allowed = true };
    public static TransitionDecision Refuse(string code) => new() { Allowed = false, Refusal = code };
}

/// <summary>
/// The round status machine with its guards (issue 3): opening needs at least one published questionnaire
/// and one invited organisation; closing is manual or automatic at the closing time; only a closed round
/// is archived; nothing goes backwards.
/// </summary>
public static class RoundTransitions
{
    public static TransitionDecision Decide(RoundFacts round, RoundStatus target, DateTimeOffset now,
        TransitionTrigger trigger = TransitionTrigger.Manual)
    {
        ArgumentNullException.ThrowIfNull(round);
        switch (round.Status, target)
        {
            case (RoundStatus.Draft, RoundStatus.Open) when trigger == TransitionTrigger.Manual:
                if (round.PublishedQuestionnaires < 1) return TransitionDecision.Refuse(RoundRefusals.NoPublishedQuestionnaire);
                if (round.InvitedOrganisations < 1) return TransitionDecision.Refuse(RoundRefusals.NoInvitedOrganisation);
                if (round.ClosesAt <= now) return TransitionDecision.Refuse(RoundRefusals.ClosingTimePassed);
                return TransitionDecision.Allow;
            case (RoundStatus.Open, RoundStatus.Closed):
                return trigger == TransitionTrigger.ClosingTime && round.ClosesAt > now
                    ? TransitionDecision.Refuse(RoundRefusals.NotYetClosingTime)
                    : TransitionDecision.Allow;
            case (RoundStatus.Closed, RoundStatus.Archived) when trigger == TransitionTrigger.Manual:
                return TransitionDecision.Allow;
            default:
                return TransitionDecision.Refuse(RoundRefusals.NotAllowedFromStatus);
        }
    }

    /// <summary>The transitions a coordinator may try from <paramref name="status"/> (buttons on the round page).</summary>
    public static IReadOnlyList<RoundStatus> Next(RoundStatus status) => status switch
    {
        RoundStatus.Draft => [RoundStatus.Open],
        RoundStatus.Open => [RoundStatus.Closed],
        RoundStatus.Closed => [RoundStatus.Archived],
        _ => [],
    };

    /// <summary>True when the background pass should close the round now.</summary>
    public static bool IsDueForAutoClose(RoundStatus status, DateTimeOffset closesAt, DateTimeOffset now) =>
        status == RoundStatus.Open && closesAt <= now;
}
