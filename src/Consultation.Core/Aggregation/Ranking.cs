namespace Consultation.Core.Aggregation;

/// <summary>
/// Descending competition ranking where ties share the rank (1, 2, 2, 4), DOMAIN.md rule 5. Scores are
/// compared as reported, i.e. rounded to 4 decimals, so two figures that print the same share a rank.
/// </summary>
public static class Ranking
{
    /// <summary>The rank of each score in input order; null scores are not ranked and do not take a place.</summary>
    public static IReadOnlyList<int?> Competition(IReadOnlyList<double?> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var rounded = scores.Select(s => Figures.Round(s)).ToArray();
        return [.. rounded.Select(s => s is { } v ? 1 + rounded.Count(o => o > v) : (int?)null)];
    }
}
