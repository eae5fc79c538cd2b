using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Consultation.Core.Aggregation;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;

namespace Consultation.Web.Evidence;

/// <summary>
/// The published shape of evidence: what exports, snapshots and the API carry. Figures only, rounded to 4
/// decimals; suppressed cells and factors carry counts but no statistics; no organisation is named. A snapshot
/// stores this as canonical JSON (<see cref="ToCanonicalJson"/>) and its SHA-256.
/// </summary>
public sealed record EvidenceReport
{
    public string FormulaVersion { get; init; } = Aggregator.FormulaVersion;
    public required ReportRound Round { get; init; }
    public required ReportFilter Filter { get; init; }
    public required ReportSettings Settings { get; init; }
    public required DateTimeOffset ComputedAt { get; init; }

    /// <summary>Submitted responses and workshop participants that gave at least one value.</summary>
    public required int Responses { get; init; }

    public required IReadOnlyList<ReportCell> Cells { get; init; }
    public required IReadOnlyList<ReportCrimeArea> CrimeAreas { get; init; }
    public required IReadOnlyList<ReportSocialTolerance> SocialTolerance { get; init; }
    public required IReadOnlyList<ReportPestleFactor> Pestle { get; init; }

    /// <summary>In snapshots only: every response revision and workshop participant that went in (ids, no names).</summary>
    public IReadOnlyList<string>? Sources { get; init; }

    public ReportCell? Cell(string crimeArea, string indicator) =>
        Cells.FirstOrDefault(c => c.CrimeArea == crimeArea && c.Indicator == indicator);

    public ReportCrimeArea? CrimeArea(string crimeArea) => CrimeAreas.FirstOrDefault(a => a.CrimeArea == crimeArea);

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly JsonSerializerOptions Canonical = new(JsonOptions) { WriteIndented = false };

    /// <summary>
    /// Canonical JSON: properties in declaration order, no whitespace, numbers in shortest round-trip form, UTF-8.
    /// The same report always gives the same bytes, so its SHA-256 identifies it.
    /// </summary>
    public string ToCanonicalJson() => JsonSerializer.Serialize(this, Canonical);

    public static string Sha256Hex(string canonicalJson) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));

    public static EvidenceReport FromJson(string json) =>
        JsonSerializer.Deserialize<EvidenceReport>(json, JsonOptions) ?? throw new JsonException("Empty evidence report.");

    /// <summary>The published figures of <paramref name="e"/>; <paramref name="withSources"/> adds the list of sources (snapshots).</summary>
    public static EvidenceReport From(RoundEvidence e, bool withSources = false)
    {
        ArgumentNullException.ThrowIfNull(e);
        var equal = e.EqualWeights.ToDictionary(s => s.CrimeArea, StringComparer.Ordinal);
        var cells = new List<ReportCell>();
        foreach (var area in e.CrimeAreas)
            foreach (var indicator in Indicators.All)
            {
                var c = e.Evidence.Cell(area.Code, indicator);
                cells.Add(new ReportCell
                {
                    CrimeArea = area.Code,
                    Indicator = indicator,
                    Responses = c?.N ?? 0,
                    Organisations = c?.Organisations ?? 0,
                    Suppressed = c?.Suppressed ?? true,
                    WeightedMean = c?.WeightedMean,
                    WeightedMedian = c?.WeightedMedian,
                    Iqr = c?.Iqr,
                    Sd = c?.Sd,
                    Consensus = c?.Consensus,
                    Agreement = c?.Agreement,
                });
            }
        var areas = e.CrimeAreas.Select(a =>
        {
            var s = e.Evidence.CrimeArea(a.Code);
            var q = equal.GetValueOrDefault(a.Code);
            return new ReportCrimeArea
            {
                CrimeArea = a.Code, NameEn = a.NameEn, NameSrLatn = a.NameSrLatn, NameMk = a.NameMk, NameSq = a.NameSq,
                Score = s?.Composite, Rank = s?.Rank, EqualWeightsScore = q?.Composite, EqualWeightsRank = q?.Rank,
            };
        }).OrderBy(a => a.Rank ?? int.MaxValue).ThenBy(a => e.CrimeAreas.ToList().FindIndex(x => x.Code == a.CrimeArea)).ToList();

        return new EvidenceReport
        {
            FormulaVersion = e.FormulaVersion,
            Round = new ReportRound { Id = e.Round.Id, Title = e.Round.Title, Status = e.Round.Status },
            Filter = new ReportFilter { Category = e.Filter.Category, Source = e.Filter.Source },
            Settings = ReportSettings.From(e.Settings),
            ComputedAt = e.ComputedAt,
            Responses = e.Responses,
            Cells = cells,
            CrimeAreas = areas,
            SocialTolerance = [.. e.SocialTolerance.Select(s => new ReportSocialTolerance
            {
                CrimeArea = s.CrimeArea, WeightedMean = s.WeightedMean, Rank = s.Rank, Suppressed = s.Suppressed, Organisations = s.Organisations,
            })],
            Pestle = [.. e.Pestle.Factors.Select(f => new ReportPestleFactor
            {
                Factor = f.FactorKey, Dimension = f.Dimension, Text = e.FactorText(f.FactorKey),
                Responses = f.N, Organisations = f.Organisations, Suppressed = f.Suppressed,
                Score = f.Score, Rank = f.Rank, DimensionRank = f.DimensionRank,
            })],
            Sources = withSources
                ? [.. e.Evidence.Cells.Values.SelectMany(c => c.Contributions).Concat(e.Pestle.Factors.SelectMany(f => f.Contributions))
                    .Select(c => c.Source.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
                : null,
        };
    }
}

public sealed record ReportRound
{
    public long Id { get; init; }
    public string Title { get; init; } = "";
    public string Status { get; init; } = "";
}

public sealed record ReportFilter
{
    public string? Category { get; init; }
    public EvidenceSource Source { get; init; }
}

public sealed record ReportSettings
{
    public int MinOrganisations { get; init; }
    public string DefaultGrading { get; init; } = "";
    /// <summary>Every category with the weight used (1 when the round does not set it).</summary>
    public IReadOnlyDictionary<string, double> CategoryWeights { get; init; } = new Dictionary<string, double>();
    /// <summary>Every indicator with the weight vⱼ used in the composite (1 when the round does not set it).</summary>
    public IReadOnlyDictionary<string, double> IndicatorWeights { get; init; } = new Dictionary<string, double>();

    public static ReportSettings From(AggregationSettings s) => new()
    {
        MinOrganisations = s.MinOrganisations,
        DefaultGrading = s.DefaultGrading.ToString(),
        CategoryWeights = OrganisationCategory.All.ToDictionary(c => c, s.CategoryWeight, StringComparer.Ordinal),
        IndicatorWeights = Indicators.All.ToDictionary(i => i, s.IndicatorWeight, StringComparer.Ordinal),
    };
}

public sealed record ReportCell
{
    public string CrimeArea { get; init; } = "";
    public string Indicator { get; init; } = "";
    public int Responses { get; init; }
    public int Organisations { get; init; }
    public bool Suppressed { get; init; }
    public double? WeightedMean { get; init; }
    public double? WeightedMedian { get; init; }
    public double? Iqr { get; init; }
    public double? Sd { get; init; }
    public double? Consensus { get; init; }
    public bool? Agreement { get; init; }
}

public sealed record ReportCrimeArea
{
    public string CrimeArea { get; init; } = "";
    public string NameEn { get; init; } = "";
    public string NameSrLatn { get; init; } = "";
    public string NameMk { get; init; } = "";
    public string NameSq { get; init; } = "";
    /// <summary>Composite consultation score with the round's indicator weights; null when any cell is suppressed.</summary>
    public double? Score { get; init; }
    public int? Rank { get; init; }
    /// <summary>Sensitivity: the composite with every indicator weight 1.</summary>
    public double? EqualWeightsScore { get; init; }
    public int? EqualWeightsRank { get; init; }

    public string Name(System.Globalization.CultureInfo culture) =>
        Consultation.Core.Localization.Languages.Pick(culture, NameEn, NameSrLatn, NameMk, NameSq, CrimeArea);
}

public sealed record ReportSocialTolerance
{
    public string CrimeArea { get; init; } = "";
    public double? WeightedMean { get; init; }
    public int? Rank { get; init; }
    public bool Suppressed { get; init; }
    public int Organisations { get; init; }
}

public sealed record ReportPestleFactor
{
    public string Factor { get; init; } = "";
    public string Dimension { get; init; } = "";
    public string Text { get; init; } = "";
    public int Responses { get; init; }
    public int Organisations { get; init; }
    public bool Suppressed { get; init; }
    /// <summary>Weighted mean of each respondent's impact × likelihood (1–25).</summary>
    public double? Score { get; init; }
    public int? Rank { get; init; }
    public int? DimensionRank { get; init; }
}
