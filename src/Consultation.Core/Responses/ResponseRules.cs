using Consultation.Core.Rounds;

namespace Consultation.Core.Responses;

/// <summary>Status of a response (DOMAIN.md, "Response"): Draft → Submitted (→ amended revisions) or Withdrawn. Stored by name.</summary>
public static class ResponseStatus
{
    public const string Draft = "Draft";
    public const string Submitted = "Submitted";
    public const string Withdrawn = "Withdrawn";
}

/// <summary>What a respondent asks to do with their organisation's response.</summary>
public enum ResponseAction { SaveDraft, Submit, Withdraw }

/// <summary>Why an action was refused; stable codes the API returns and pages turn into messages.</summary>
public static class ResponseRefusals
{
    public const string RoundNotOpen = "round.not_open";
    public const string RoundClosed = "round.closed";
    public const string NotSubmitted = "response.not_submitted";
    public const string RevisionConflict = "response.revision_conflict";
    public const string InvalidAnswers = "response.invalid_answers";
    /// <summary>A draft never submitted is on an older version than the latest published one: the form moves it when opened.</summary>
    public const string VersionChanged = "response.version_changed";
}

/// <summary>
/// The response state rules (issue 3, "Responding"): while the round is open a respondent saves drafts,
/// submits, amends a submission (each submission is a new kept revision) and withdraws a submission; a
/// withdrawn response may be submitted again. Nothing changes once the round is closed — by status or by its
/// closing time passing before the background pass has closed it — and drafts are kept as they are.
/// </summary>
public static class ResponseRules
{
    /// <returns>null when allowed, otherwise one of <see cref="ResponseRefusals"/>.</returns>
    public static string? Refusal(ResponseAction action, RoundStatus round, DateTimeOffset closesAt, string? responseStatus, DateTimeOffset now)
    {
        if (round is RoundStatus.Closed or RoundStatus.Archived) return ResponseRefusals.RoundClosed;
        if (round != RoundStatus.Open) return ResponseRefusals.RoundNotOpen;
        if (closesAt <= now) return ResponseRefusals.RoundClosed;
        return action switch
        {
            ResponseAction.Withdraw when responseStatus != ResponseStatus.Submitted => ResponseRefusals.NotSubmitted,
            _ => null,
        };
    }

    /// <summary>True when the round accepts changes at <paramref name="now"/>.</summary>
    public static bool IsOpenFor(RoundStatus round, DateTimeOffset closesAt, DateTimeOffset now) =>
        round == RoundStatus.Open && closesAt > now;

    /// <summary>What the respondent's list shows: not started / draft / submitted / withdrawn.</summary>
    public static string Progress(string? responseStatus) => responseStatus switch
    {
        null => "NotStarted",
        ResponseStatus.Submitted => "Submitted",
        ResponseStatus.Withdrawn => "Withdrawn",
        _ => "Draft",
    };
}
