using Consultation.Core.Scales;

namespace Consultation.Core.Aggregation;

/// <summary>
/// Rule 1 of DOMAIN.md, "Aggregation rules": the weight of one value is
/// <c>categoryWeight × sourceWeight × informationWeight × confidenceWeight</c>, before the organisation's
/// share (rule 2) divides it.
/// </summary>
public static class Weights
{
    /// <summary>A 1.0 · B 0.8 · C 0.5 · X 0.6 — "not reliable" weighs less than "cannot be assessed".</summary>
    public static double Source(char source) => source switch
    {
        'A' => 1.0,
        'B' => 0.8,
        'C' => 0.5,
        'X' => 0.6,
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "Source reliability must be A, B, C or X."),
    };

    /// <summary>1 1.0 · 2 0.8 · 3 0.6 · 4 0.4.</summary>
    public static double Information(int information) => information switch
    {
        1 => 1.0,
        2 => 0.8,
        3 => 0.6,
        4 => 0.4,
        _ => throw new ArgumentOutOfRangeException(nameof(information), information, "Information must be 1–4."),
    };

    /// <summary>HIGH 1.0 · MEDIUM 0.75 · LOW 0.5.</summary>
    public static double Confidence(Confidence confidence) => confidence switch
    {
        Scales.Confidence.High => 1.0,
        Scales.Confidence.Medium => 0.75,
        Scales.Confidence.Low => 0.5,
        _ => throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Unknown confidence."),
    };

    /// <summary>The grading a value is weighed with: its own, or the round's default when ungraded.</summary>
    public static Grading EffectiveGrading(Grading? grading, AggregationSettings settings) =>
        grading ?? settings.DefaultGrading;

    /// <summary>Rule 1 weight; the multiplication order is fixed so that results are reproducible to the last bit.</summary>
    public static double For(string category, Grading? grading, Confidence confidence, AggregationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var g = EffectiveGrading(grading, settings);
        return settings.CategoryWeight(category) * Source(g.Source) * Information(g.Information) * Confidence(confidence);
    }

    public static double For(ScoreValue value, AggregationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(value);
        return For(value.Category, value.Grading, value.Confidence, settings);
    }

    public static double For(PestleValue value, AggregationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(value);
        return For(value.Category, value.Grading, value.Confidence, settings);
    }
}
