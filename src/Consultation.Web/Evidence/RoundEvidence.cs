using Consultation.Core.Aggregation;

namespace Consultation.Web.Evidence;

/// <summary>Where values come from: submitted questionnaire responses, workshop scores, or both.</summary>
public enum EvidenceSource { Both, Questionnaires, Workshops }

/// <summary>
/// Which values enter the evidence. A category filter aggregates only that category's values, so suppression
/// (fewer than k organisations) applies to the subset itself (DOMAIN.md, "Confidentiality rules").
/// </summary>
public sealed record EvidenceFilter(string? Category = null, EvidenceSource Source = EvidenceSource.Both)
{
    public static EvidenceFilter All { get; } = new();

    public bool IsAll => Category is null && Source == EvidenceSource.Both;

    public bool Includes(string category) => Category is null || string.Equals(Category, category, StringComparison.Ordinal);
}

/// <summary>The round the evidence belongs to.</summary>
public sealed record EvidenceRound
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string Status { get; init; } = "";
}

/// <summary>A crime area as a matrix row: the round's scope in display order, then any other area that has values.</summary>
public sealed record EvidenceCrimeArea
{
    public string Code { get; init; } = "";
    public string NameEn { get; init; } = "";
    public string NameSrLatn { get; init; } = "";
    public string NameMk { get; init; } = "";
    public string NameSq { get; init; } = "";
    public bool InScope { get; init; }

    public string Name(System.Globalization.CultureInfo culture) =>
        Consultation.Core.Localization.Languages.Pick(culture, NameEn, NameSrLatn, NameMk, NameSq, Code);
}

/// <summary>
/// Social tolerance ranking: crime areas ordered by the weighted mean of their SOCIAL_TOLERANCE cell (higher =
/// more tolerated), ties sharing a rank; suppressed or empty cells are not ranked.
/// </summary>
public sealed record SocialToleranceRank(string CrimeArea, double? WeightedMean, int? Rank, bool Suppressed, int Organisations);

/// <summary>
/// Everything the evidence page, exports, snapshots and the API need for one round: the round, the settings used,
/// Core's evidence (cells with statistics and contributions, composites and ranks), the PESTLE ranking, the
/// social tolerance ranking and the sensitivity ranking with every indicator weight 1.
/// Contributions name organisations and sources: only coordinators may see them.
/// </summary>
public sealed record RoundEvidence
{
    public required EvidenceRound Round { get; init; }
    public required AggregationSettings Settings { get; init; }
    public required EvidenceFilter Filter { get; init; }
    public required IReadOnlyList<EvidenceCrimeArea> CrimeAreas { get; init; }

    /// <summary>Core result: cells (statistics + contributions), composite scores and ranks with the configured indicator weights.</summary>
    public required Core.Aggregation.Evidence Evidence { get; init; }

    /// <summary>Core result of rule 6; factor keys are <c>factor:ID</c> (workshops) or <c>text:DIMENSION:…</c> (questionnaires).</summary>
    public required PestleRanking Pestle { get; init; }

    /// <summary>Display text per PESTLE factor key.</summary>
    public required IReadOnlyDictionary<string, string> FactorTexts { get; init; }

    public required IReadOnlyList<SocialToleranceRank> SocialTolerance { get; init; }

    /// <summary>Sensitivity: composites and ranks with every indicator weight 1 (same cells, same suppression).</summary>
    public required IReadOnlyList<CrimeAreaScore> EqualWeights { get; init; }

    /// <summary>Submitted responses and workshop participants that gave at least one value.</summary>
    public required int Responses { get; init; }

    /// <summary>The data version (sum of <c>evidence_data_version</c>) the figures were computed at.</summary>
    public required long DataVersion { get; init; }

    public required DateTimeOffset ComputedAt { get; init; }

    public string FormulaVersion => Evidence.FormulaVersion;

    public string FactorText(string key) => FactorTexts.TryGetValue(key, out var t) ? t : key;
}
