using Consultation.Core.Scales;

namespace Consultation.Core.Workshops;

/// <summary>Exercise types (DOMAIN.md, "Exercise"); stored by these codes.</summary>
public static class ExerciseTypes
{
    public const string Pestle = "PESTLE";
    public const string SocialTolerance = "SOCIAL_TOLERANCE";
    public const string Indicators = "INDICATORS";
    public const string Poll = "POLL";

    public static IReadOnlyList<string> All { get; } = [Pestle, SocialTolerance, Indicators, Poll];

    public static bool IsKnown(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);
}

/// <summary>Life cycle of an exercise: Pending → Open ⇄ Locked → Revealed → Done. Stored by name.</summary>
public enum ExerciseState { Pending, Open, Locked, Revealed, Done }

/// <summary>PESTLE runs in two phases: participants collect factors, then score them.</summary>
public enum ExercisePhase { Collect, Score }

/// <summary>What a facilitator asks for on the control page.</summary>
public enum ExerciseAction { Open, Lock, Reveal, Close, StartScoring }

/// <summary>Stable refusal codes that pages and the hub turn into localized messages.</summary>
public static class WorkshopRefusals
{
    public const string TransitionNotAllowed = "exercise.transition_not_allowed";
    public const string NotOpen = "exercise.not_open";
    public const string Locked = "exercise.locked";
    public const string Closed = "exercise.closed";
    public const string OutOfScale = "score.out_of_scale";
    public const string UnknownItem = "score.unknown_item";
    public const string LikelihoodMissing = "score.likelihood_missing";
    public const string CollectingFactors = "exercise.collecting_factors";
    public const string NotCollecting = "exercise.not_collecting";
    public const string NotPestle = "exercise.not_pestle";
    /// <summary>A new factor's text is empty, longer than <see cref="ScoreValidation.FactorTextMax"/> or holds control characters.</summary>
    public const string FactorText = "factor.text";
}

public sealed record Decision
{
    public bool Allowed { get; init; }
    public string? Refusal { get; init; }

    public static Decision Allow { get; } = new() { Allowed = true };
    public static Decision Refuse(string code) => new() { Allowed = false, Refusal = code };
}

/// <summary>
/// The exercise state machine. Answers are accepted only while Open; a facilitator may lock and re-open,
/// reveal results once locked (or straight from Open, which locks), and close from anywhere but Pending.
/// PESTLE starts scoring only from the collect phase of an open exercise.
/// </summary>
public static class ExerciseStateMachine
{
    public static Decision Decide(string type, ExerciseState state, ExercisePhase phase, ExerciseAction action) => (action, state) switch
    {
        (ExerciseAction.Open, ExerciseState.Pending or ExerciseState.Locked) => Decision.Allow,
        (ExerciseAction.Lock, ExerciseState.Open) => Decision.Allow,
        (ExerciseAction.Reveal, ExerciseState.Open or ExerciseState.Locked) => Decision.Allow,
        (ExerciseAction.Close, ExerciseState.Open or ExerciseState.Locked or ExerciseState.Revealed) => Decision.Allow,
        (ExerciseAction.StartScoring, _) when type != ExerciseTypes.Pestle => Decision.Refuse(WorkshopRefusals.NotPestle),
        (ExerciseAction.StartScoring, ExerciseState.Open or ExerciseState.Pending or ExerciseState.Locked) when phase == ExercisePhase.Collect => Decision.Allow,
        _ => Decision.Refuse(WorkshopRefusals.TransitionNotAllowed),
    };

    public static ExerciseState Target(ExerciseAction action, ExerciseState current) => action switch
    {
        ExerciseAction.Open => ExerciseState.Open,
        ExerciseAction.Lock => ExerciseState.Locked,
        ExerciseAction.Reveal => ExerciseState.Revealed,
        ExerciseAction.Close => ExerciseState.Done,
        _ => current,
    };

    /// <summary>Why a participant cannot answer now; null when they can.</summary>
    public static string? AnswerRefusal(ExerciseState state) => state switch
    {
        ExerciseState.Open => null,
        ExerciseState.Locked => WorkshopRefusals.Locked,
        ExerciseState.Revealed or ExerciseState.Done => WorkshopRefusals.Closed,
        _ => WorkshopRefusals.NotOpen,
    };

    public static bool TryParse(string? value, out ExerciseState state) =>
        Enum.TryParse(value, ignoreCase: false, out state) && Enum.IsDefined(state);
}

/// <summary>An exercise as the rules need it: its type, state, and the items a participant may score.</summary>
public sealed record ExerciseFacts
{
    public required string Type { get; init; }
    public ExerciseState State { get; init; }
    public ExercisePhase Phase { get; init; }
    /// <summary>Crime area codes of the round, in display order (SOCIAL_TOLERANCE, INDICATORS).</summary>
    public IReadOnlyList<string> CrimeAreas { get; init; } = [];
    /// <summary>Ids of PESTLE factors that may be scored: not deleted, not merged into another.</summary>
    public IReadOnlyList<long> Factors { get; init; } = [];
    /// <summary>Choices of a single-choice POLL; empty for a 1–5 scale poll.</summary>
    public IReadOnlyList<string> PollChoices { get; init; } = [];
}

/// <summary>Item keys stored in <c>scores.item_key</c>.</summary>
public static class ItemKeys
{
    public const string Poll = "poll";

    public static string Cell(string crimeArea, string indicator) => $"{crimeArea}/{indicator}";

    public static string Factor(long factorId) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"factor:{factorId}");

    public static bool TryFactor(string key, out long factorId)
    {
        factorId = 0;
        return key.StartsWith("factor:", StringComparison.Ordinal)
            && long.TryParse(key.AsSpan(7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out factorId);
    }

    public static bool TryCell(string key, out string crimeArea, out string indicator)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        crimeArea = slash > 0 ? key[..slash] : "";
        indicator = slash > 0 ? key[(slash + 1)..] : "";
        return slash > 0;
    }

    /// <summary>Every item a participant answers in this exercise, in display order.</summary>
    public static IReadOnlyList<string> For(ExerciseFacts exercise)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        return exercise.Type switch
        {
            ExerciseTypes.SocialTolerance => exercise.CrimeAreas,
            ExerciseTypes.Indicators => [.. exercise.CrimeAreas.SelectMany(a => Scales.Indicators.All.Select(i => Cell(a, i)))],
            ExerciseTypes.Pestle => [.. exercise.Factors.Select(Factor)],
            ExerciseTypes.Poll => [Poll],
            _ => [],
        };
    }
}

/// <summary>
/// Checks one score before it is written: the exercise must be open (and, for PESTLE, in the scoring phase),
/// the item must belong to it, and values must be on the scale — 1–5, or 1..n for a single-choice poll.
/// </summary>
public static class ScoreValidation
{
    public static Decision Check(ExerciseFacts exercise, string? itemKey, int value, int? value2)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        if (ExerciseStateMachine.AnswerRefusal(exercise.State) is { } refusal) return Decision.Refuse(refusal);
        if (exercise.Type == ExerciseTypes.Pestle && exercise.Phase == ExercisePhase.Collect) return Decision.Refuse(WorkshopRefusals.CollectingFactors);
        if (itemKey is null || !ItemKeys.For(exercise).Contains(itemKey, StringComparer.Ordinal)) return Decision.Refuse(WorkshopRefusals.UnknownItem);

        var max = exercise.Type == ExerciseTypes.Poll && exercise.PollChoices.Count > 0 ? exercise.PollChoices.Count : Scales.Indicators.Max;
        if (value < Scales.Indicators.Min || value > max) return Decision.Refuse(WorkshopRefusals.OutOfScale);
        if (exercise.Type == ExerciseTypes.Pestle)
        {
            if (value2 is null) return Decision.Refuse(WorkshopRefusals.LikelihoodMissing);
            if (!Scales.Indicators.InScale(value2.Value)) return Decision.Refuse(WorkshopRefusals.OutOfScale);
        }
        else if (value2 is not null) return Decision.Refuse(WorkshopRefusals.OutOfScale);
        return Decision.Allow;
    }

    /// <summary>Participants add PESTLE factors only while the exercise is open and collecting.</summary>
    public static Decision CheckNewFactor(ExerciseFacts exercise, string? dimension, string? text)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        if (exercise.Type != ExerciseTypes.Pestle) return Decision.Refuse(WorkshopRefusals.NotPestle);
        if (ExerciseStateMachine.AnswerRefusal(exercise.State) is { } refusal) return Decision.Refuse(refusal);
        if (exercise.Phase != ExercisePhase.Collect) return Decision.Refuse(WorkshopRefusals.NotCollecting);
        if (!PestleDimensions.IsKnown(dimension)) return Decision.Refuse(WorkshopRefusals.UnknownItem);
        // One line of text: no control characters (a NUL would also fail PostgreSQL's insert).
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length > FactorTextMax || text.Trim().Any(char.IsControl))
            return Decision.Refuse(WorkshopRefusals.FactorText);
        return Decision.Allow;
    }

    public const int FactorTextMax = 200;
}
