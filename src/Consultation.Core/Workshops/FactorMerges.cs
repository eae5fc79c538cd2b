namespace Consultation.Core.Workshops;

/// <summary>
/// Which PESTLE factor a score counts for once the facilitator has merged duplicates: a score given to a factor that
/// was merged into another counts for the one it was merged into (following chains of merges), and a deleted factor's
/// scores count for none. The evidence and the live results both use this, so the projector shows the same score and
/// rank as the evidence for the same workshop; one voice per organisation (DOMAIN.md rule 2) then makes a participant
/// who scored both the duplicate and its target count once, with the mean of their products.
/// </summary>
public static class FactorMerges
{
    /// <summary>Longer chains than this are treated as a cycle (bad data), so the score counts for none.</summary>
    public const int MaxHops = 32;

    /// <summary>The standing factor that a score given to factor <paramref name="id"/> counts for; null when none.</summary>
    public static T? Resolve<T>(IReadOnlyDictionary<long, T> factors, long id, Func<T, long?> mergedInto, Func<T, bool> deleted) where T : class
    {
        ArgumentNullException.ThrowIfNull(factors);
        ArgumentNullException.ThrowIfNull(mergedInto);
        ArgumentNullException.ThrowIfNull(deleted);
        for (var hops = 0; hops < MaxHops && factors.TryGetValue(id, out var f); hops++)
        {
            if (mergedInto(f) is { } target) { id = target; continue; }
            return deleted(f) ? null : f;
        }
        return null;
    }
}
