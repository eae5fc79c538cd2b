using Consultation.Core.Responses;

namespace Consultation.Core.Rounds;

/// <summary>
/// How far an invited organisation is with a questionnaire of a round (issue 3, "Round page for coordinators":
/// not started / draft / submitted, and withdrawn). An organisation may hold several responses to one
/// questionnaire (two respondents, DOMAIN.md worked example); the most advanced one counts.
/// </summary>
public static class RoundProgress
{
    public const string NotStarted = "NotStarted";
    public const string Draft = "Draft";
    public const string Submitted = "Submitted";
    public const string Withdrawn = "Withdrawn";

    /// <summary>Submitted beats a draft, a draft beats a withdrawal (someone is working again), anything beats nothing.</summary>
    public static string Combine(IEnumerable<string> responseStatuses)
    {
        ArgumentNullException.ThrowIfNull(responseStatuses);
        var best = NotStarted;
        foreach (var status in responseStatuses)
        {
            var p = ResponseRules.Progress(status);
            if (Rank(p) > Rank(best)) best = p;
        }
        return best;
    }

    private static int Rank(string progress) => progress switch
    {
        Submitted => 3,
        Draft => 2,
        Withdrawn => 1,
        _ => 0,
    };

    /// <summary>An organisation is reminded while any published questionnaire of the round lacks its submission.</summary>
    public static bool NeedsReminder(IEnumerable<string> progressPerQuestionnaire)
    {
        ArgumentNullException.ThrowIfNull(progressPerQuestionnaire);
        return progressPerQuestionnaire.Any(p => p != Submitted);
    }
}

/// <summary>
/// When the automatic reminder of a round is due (issue 3: "automatic N days before closing (round setting);
/// each e-mail is sent once per schedule even if the app restarts"). The schedule key names the schedule: a
/// coordinator who moves the closing time or changes N makes a new schedule, which reminds once more.
/// </summary>
public static class ReminderSchedule
{
    public const string AutomaticPrefix = "auto:";
    public const string ManualPrefix = "manual:";
    public const string InvitationPrefix = "invitation:";

    /// <returns>The schedule key when the reminder is due at <paramref name="now"/>; null otherwise.</returns>
    public static string? DueKey(RoundStatus status, DateTimeOffset closesAt, int? daysBeforeClose, DateTimeOffset now)
    {
        if (status != RoundStatus.Open || daysBeforeClose is not { } days || days < 1) return null;
        if (now >= closesAt || now < closesAt.AddDays(-days)) return null;
        return $"{AutomaticPrefix}{days}d:{closesAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}";
    }
}
