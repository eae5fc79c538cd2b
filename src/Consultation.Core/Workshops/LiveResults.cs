using Consultation.Core.Aggregation;
using Consultation.Core.Scales;

namespace Consultation.Core.Workshops;

/// <summary>One stored workshop score with who gave it, as the live results need it.</summary>
public sealed record WorkshopScore
{
    public long ParticipantId { get; init; }
    /// <summary>Set when the participant signed in as a member of an organisation: then they share its one voice.</summary>
    public long? OrganisationId { get; init; }
    public string Category { get; init; } = "";
    public string ItemKey { get; init; } = "";
    public int Value { get; init; }
    public int? Value2 { get; init; }
}

/// <summary>A PESTLE factor of the exercise; merged and deleted ones too, since their scores may count for another.</summary>
public sealed record WorkshopFactor
{
    public long Id { get; init; }
    public string Dimension { get; init; } = "";
    public string Text { get; init; } = "";
    /// <summary>The factor this duplicate was merged into; its scores count for that one (<see cref="FactorMerges"/>).</summary>
    public long? MergedInto { get; init; }
    public bool Deleted { get; init; }
    public bool Stands => !Deleted && MergedInto is null;
}

/// <summary>Live figures of one item; statistics are null when suppressed or not applicable (choice polls).</summary>
public sealed record LiveItem
{
    public required string Key { get; init; }
    /// <summary>Counts of answers per value 1..n; empty when suppressed, so a small group is not exposed.</summary>
    public required IReadOnlyList<int> Histogram { get; init; }
    public int N { get; init; }
    public int Organisations { get; init; }
    public bool Suppressed { get; init; }
    public double? WeightedMean { get; init; }
    public double? WeightedMedian { get; init; }
    public double? Consensus { get; init; }
}

public sealed record LiveFactor
{
    public required long Id { get; init; }
    public required string Dimension { get; init; }
    public required string Text { get; init; }
    public int N { get; init; }
    public bool Suppressed { get; init; }
    /// <summary>Weighted mean of each participant's own impact × likelihood (1–25), DOMAIN.md rule 6.</summary>
    public double? Score { get; init; }
    public int? Rank { get; init; }
    public int? DimensionRank { get; init; }
}

public sealed record LiveResult
{
    public required IReadOnlyList<LiveItem> Items { get; init; }
    public required IReadOnlyList<LiveFactor> Factors { get; init; }
    /// <summary>Participants with at least one answer in the exercise.</summary>
    public int Answered { get; init; }
}

/// <summary>
/// Live results of one exercise, computed by the evidence aggregation itself (DOMAIN.md, "Aggregation rules"):
/// each participant counts as one organisation unless signed in as a member of one, category weights come
/// from the round (default 1), ungraded like any ungraded response, and small groups are suppressed.
/// </summary>
public static class LiveResults
{
    public static LiveResult Compute(long workshopId, ExerciseFacts exercise, IReadOnlyList<WorkshopScore> scores,
        IReadOnlyList<WorkshopFactor> factors, AggregationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(factors);
        ArgumentNullException.ThrowIfNull(settings);
        var keys = ItemKeys.For(exercise).ToHashSet(StringComparer.Ordinal);
        var byId = factors.ToDictionary(f => f.Id);
        // A PESTLE score given to a factor merged away since counts for the factor it was merged into, as in the evidence.
        var valid = scores.Where(s => keys.Contains(s.ItemKey)
            || (exercise.Type == ExerciseTypes.Pestle && ItemKeys.TryFactor(s.ItemKey, out var id) && Stand(byId, id) is not null)).ToList();
        var answered = valid.Select(s => s.ParticipantId).Distinct().Count();

        return exercise.Type switch
        {
            ExerciseTypes.Pestle => new LiveResult { Items = [], Factors = Pestle(workshopId, valid, factors, byId, settings), Answered = answered },
            ExerciseTypes.Poll => new LiveResult { Items = [Poll(valid, exercise, settings)], Factors = [], Answered = answered },
            _ => new LiveResult { Items = Cells(workshopId, exercise, valid, settings), Factors = [], Answered = answered },
        };
    }

    public static string OrganisationKey(WorkshopScore s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return s.OrganisationId is { } org ? OrganisationKeys.Organisation(org) : OrganisationKeys.Participant(s.ParticipantId);
    }

    private static List<LiveItem> Cells(long workshopId, ExerciseFacts exercise, List<WorkshopScore> scores, AggregationSettings settings)
    {
        var values = scores.Select(s =>
        {
            var (area, indicator) = exercise.Type == ExerciseTypes.SocialTolerance
                ? (s.ItemKey, Indicators.SocialTolerance)
                : ItemKeys.TryCell(s.ItemKey, out var a, out var i) ? (a, i) : (s.ItemKey, "");
            return new ScoreValue(area, indicator, OrganisationKey(s), s.Category, null, Confidence.High, s.Value,
                SourceRef.Workshop(workshopId, s.ParticipantId));
        });
        var evidence = Aggregator.Aggregate(values, settings);
        var byKey = scores.ToLookup(s => s.ItemKey, StringComparer.Ordinal);
        return
        [
            .. ItemKeys.For(exercise).Select(key =>
            {
                var (area, indicator) = exercise.Type == ExerciseTypes.SocialTolerance
                    ? (key, Indicators.SocialTolerance)
                    : ItemKeys.TryCell(key, out var a, out var i) ? (a, i) : (key, "");
                var cell = evidence.Cell(area, indicator);
                if (cell is null) return new LiveItem { Key = key, Histogram = [], Suppressed = true };
                return new LiveItem
                {
                    Key = key,
                    N = cell.N,
                    Organisations = cell.Organisations,
                    Suppressed = cell.Suppressed,
                    Histogram = cell.Suppressed ? [] : Histogram(byKey[key], Indicators.Max),
                    WeightedMean = cell.WeightedMean,
                    WeightedMedian = cell.WeightedMedian,
                    Consensus = cell.Consensus,
                };
            }),
        ];
    }

    /// <summary>
    /// A poll is one item outside the crime area × indicator matrix, so it uses the same weights (rule 1),
    /// one voice per organisation (rule 2), statistics (rule 3) and suppression (rule 4) directly.
    /// A single-choice poll has no order, so it shows counts only.
    /// </summary>
    private static LiveItem Poll(List<WorkshopScore> scores, ExerciseFacts exercise, AggregationSettings settings)
    {
        settings.Validate();
        var organisations = scores.GroupBy(OrganisationKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var suppressed = organisations.Count < settings.MinOrganisations;
        var choices = exercise.PollChoices.Count;
        var item = new LiveItem
        {
            Key = ItemKeys.Poll,
            N = scores.Count,
            Organisations = organisations.Count,
            Suppressed = suppressed,
            Histogram = suppressed ? [] : Histogram(scores, choices > 0 ? choices : Indicators.Max),
        };
        if (suppressed || choices > 0 || scores.Count == 0) return item;
        var sample = new WeightedSample(scores.Select(s =>
            ((double)s.Value, Weights.For(s.Category, null, Confidence.High, settings) / organisations[OrganisationKey(s)])));
        return item with
        {
            WeightedMean = Figures.Round(sample.Mean),
            WeightedMedian = Figures.Round(sample.Median),
            Consensus = Figures.Round(sample.Consensus(Indicators.Max - Indicators.Min)),
        };
    }

    private static WorkshopFactor? Stand(Dictionary<long, WorkshopFactor> byId, long id) =>
        FactorMerges.Resolve(byId, id, f => f.MergedInto, f => f.Deleted);

    private static List<LiveFactor> Pestle(long workshopId, List<WorkshopScore> scores, IReadOnlyList<WorkshopFactor> factors,
        Dictionary<long, WorkshopFactor> byId, AggregationSettings settings)
    {
        var values = scores
            .Select(s => (Score: s, Factor: s.Value2 is not null && ItemKeys.TryFactor(s.ItemKey, out var id) ? Stand(byId, id) : null))
            .Where(x => x.Factor is not null)
            .Select(x => new PestleValue(ItemKeys.Factor(x.Factor!.Id), x.Factor.Dimension, OrganisationKey(x.Score), x.Score.Category, null, Confidence.High,
                x.Score.Value, x.Score.Value2!.Value, SourceRef.Workshop(workshopId, x.Score.ParticipantId)));
        var ranking = Aggregator.AggregatePestle(values, settings).Factors.ToDictionary(f => f.FactorKey, StringComparer.Ordinal);
        return
        [
            .. factors.Where(f => f.Stands).Select(f =>
            {
                var found = ranking.TryGetValue(ItemKeys.Factor(f.Id), out var p);
                return new LiveFactor
                {
                    Id = f.Id, Dimension = f.Dimension, Text = f.Text,
                    N = found ? p!.N : 0,
                    Suppressed = !found || p!.Suppressed,
                    Score = p?.Score, Rank = p?.Rank, DimensionRank = p?.DimensionRank,
                };
            })
            .OrderBy(f => f.Rank ?? int.MaxValue).ThenBy(f => f.Id),
        ];
    }

    private static int[] Histogram(IEnumerable<WorkshopScore> scores, int max)
    {
        var counts = new int[max];
        foreach (var s in scores)
            if (s.Value >= 1 && s.Value <= max) counts[s.Value - 1]++;
        return counts;
    }
}
