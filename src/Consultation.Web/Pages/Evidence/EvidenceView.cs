using System.Globalization;
using Consultation.Core.Organisations;
using Consultation.Web.Evidence;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Evidence;

/// <summary>What the shared evidence partial renders: live evidence or a snapshot, optionally against earlier evidence.</summary>
public sealed record EvidenceView
{
    public required EvidenceReport Report { get; init; }
    /// <summary>Changes since a snapshot or an earlier round (arrows for score and rank changes).</summary>
    public EvidenceComparison? Comparison { get; init; }
    /// <summary>Live evidence links each cell to its drill-down; a snapshot has no contributions to show.</summary>
    public bool DrillDown { get; init; }
    /// <summary>Printable report: statistics inline instead of in tooltips.</summary>
    public bool Print { get; init; }
}

/// <summary>Formatting shared by the evidence pages: figures to 4 decimals in the reader's culture.</summary>
public static class EvidenceFormat
{
    public static string Figure(double? value) => value is { } v ? v.ToString("0.0000", CultureInfo.CurrentCulture) : "—";

    public static string Weight(double value) => value.ToString("0.####", CultureInfo.CurrentCulture);

    /// <summary>Heat class 1–5 from a weighted mean on the 1–5 scale (colour is never the only carrier: the value is printed).</summary>
    public static string Heat(double? mean) => mean is { } m ? "ev-h" + Math.Clamp((int)Math.Round(m, MidpointRounding.AwayFromZero), 1, 5).ToString(CultureInfo.InvariantCulture) : "";

    public static string? CategoryOrNull(string? category) => OrganisationCategory.IsKnown(category) ? category : null;

    /// <summary>A filter as the evidence pages name it: the category (or all) and the source, e.g. "NGO · Questionnaires only".</summary>
    public static string FilterName(IStringLocalizer L, string? category, EvidenceSource source) => FilterName(L, category, source.ToString());

    /// <summary><inheritdoc cref="FilterName(IStringLocalizer, string?, EvidenceSource)"/> (a snapshot row keeps the source as text).</summary>
    public static string FilterName(IStringLocalizer L, string? category, string source) =>
        $"{(category is null ? L["All categories"].Value : L["Category." + category].Value)} · {L["Source." + source].Value}";

    /// <summary>Rank change: a smaller rank number is a rise.</summary>
    public static (string Arrow, string Css, int Places)? RankChange(int? now, int? before)
    {
        if (now is not { } n || before is not { } b) return null;
        return n < b ? ("▲", "ev-up", b - n) : n > b ? ("▼", "ev-down", n - b) : ("=", "ev-same", 0);
    }

    /// <summary>The arrow (text, so the change never rests on colour alone) and the style of a direction.</summary>
    public static (string Arrow, string Css) Arrow(ChangeDirection direction) => direction switch
    {
        ChangeDirection.Up => ("▲", "ev-up"),
        ChangeDirection.Down => ("▼", "ev-down"),
        _ => ("=", "ev-same"),
    };

    /// <summary>A delta with its sign, in the reader's culture: +0.1234, -0.0500, 0.</summary>
    public static string Delta(double delta) => delta.ToString("+0.0000;-0.0000;0", CultureInfo.CurrentCulture);
}
