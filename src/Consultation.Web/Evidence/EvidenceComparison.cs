namespace Consultation.Web.Evidence;

/// <summary>Which way a figure moved; for ranks a smaller number is <see cref="Up"/>.</summary>
public enum ChangeDirection { Same, Up, Down }

/// <summary>A reported figure now and in the earlier evidence; <see cref="Delta"/> is now − before, to 4 decimals.</summary>
public sealed record FigureChange(double Now, double Before, double Delta, ChangeDirection Direction);

/// <summary>A rank now and before; <see cref="Places"/> is how many places it rose or fell.</summary>
public sealed record RankChange(int Now, int Before, int Places, ChangeDirection Direction);

/// <summary>
/// Live evidence (or a snapshot) against earlier evidence — a snapshot or another round's evidence with the same
/// filter: score and rank changes per crime area, mean changes per cell. Only figures both sides publish are compared;
/// a suppressed or missing cell, or an unranked area, on either side gives no change.
/// </summary>
public sealed record EvidenceComparison
{
    public required string Label { get; init; }
    public required IReadOnlyDictionary<string, FigureChange> Scores { get; init; }
    public required IReadOnlyDictionary<string, RankChange> Ranks { get; init; }
    public required IReadOnlyDictionary<(string CrimeArea, string Indicator), FigureChange> Cells { get; init; }

    public FigureChange? Score(string crimeArea) => Scores.GetValueOrDefault(crimeArea);
    public RankChange? Rank(string crimeArea) => Ranks.GetValueOrDefault(crimeArea);
    public FigureChange? Cell(string crimeArea, string indicator) => Cells.GetValueOrDefault((crimeArea, indicator));

    public static EvidenceComparison Between(EvidenceReport now, EvidenceReport before, string label)
    {
        ArgumentNullException.ThrowIfNull(now);
        ArgumentNullException.ThrowIfNull(before);
        var scores = new Dictionary<string, FigureChange>(StringComparer.Ordinal);
        var ranks = new Dictionary<string, RankChange>(StringComparer.Ordinal);
        foreach (var area in now.CrimeAreas)
        {
            var earlier = before.CrimeArea(area.CrimeArea);
            if (Figure(area.Score, earlier?.Score) is { } s) scores[area.CrimeArea] = s;
            if (area.Rank is { } n && earlier?.Rank is { } b)
                ranks[area.CrimeArea] = new RankChange(n, b, Math.Abs(b - n), n < b ? ChangeDirection.Up : n > b ? ChangeDirection.Down : ChangeDirection.Same);
        }
        var cells = new Dictionary<(string, string), FigureChange>();
        foreach (var cell in now.Cells)
        {
            var earlier = before.Cell(cell.CrimeArea, cell.Indicator);
            if (!cell.Suppressed && earlier is { Suppressed: false } && Figure(cell.WeightedMean, earlier.WeightedMean) is { } m)
                cells[(cell.CrimeArea, cell.Indicator)] = m;
        }
        return new EvidenceComparison { Label = label, Scores = scores, Ranks = ranks, Cells = cells };
    }

    private static FigureChange? Figure(double? now, double? before)
    {
        if (now is not { } n || before is not { } b) return null;
        var d = Math.Round(n - b, 4, MidpointRounding.AwayFromZero);
        return new FigureChange(n, b, d, d > 0 ? ChangeDirection.Up : d < 0 ? ChangeDirection.Down : ChangeDirection.Same);
    }
}
