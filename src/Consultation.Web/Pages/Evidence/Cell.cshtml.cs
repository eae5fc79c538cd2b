using System.Globalization;
using System.Text.Json;
using Consultation.Core.Aggregation;
using Consultation.Core.Scales;
using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Evidence;

/// <summary>
/// Drill-down of one cell (coordinators only, DOMAIN.md "Confidentiality rules"): the distribution of its values
/// and every contribution with how its weight came about, each linked to the response revision behind it.
/// </summary>
public sealed class CellModel(EvidenceService evidence, Db db) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Category { get; set; }
    [BindProperty(SupportsGet = true)] public EvidenceSource Source { get; set; } = EvidenceSource.Both;

    public RoundEvidence Live { get; private set; } = null!;
    public EvidenceCrimeArea Area { get; private set; } = null!;
    public string Indicator { get; private set; } = "";
    public CellStatistics? Cell { get; private set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyList<Bar> Distribution { get; private set; } = [];

    public sealed record Bar(int Value, int Count, double WeightShare);

    /// <summary>A contribution as the table shows it.</summary>
    public sealed record Row(Contribution Contribution, string Who, string? Href, string SourceLabel);

    /// <summary>Chart data for evidence.js: labels 1–5, counts and weight shares (%).</summary>
    public string ChartJson => JsonSerializer.Serialize(new
    {
        labels = Distribution.Select(b => b.Value.ToString(CultureInfo.InvariantCulture)),
        counts = Distribution.Select(b => b.Count),
        shares = Distribution.Select(b => Math.Round(b.WeightShare * 100, 2)),
    });

    private sealed record OrganisationRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
    }

    public async Task<IActionResult> OnGetAsync(long roundId, string crimeArea, string indicator, CancellationToken ct)
    {
        if (!Indicators.IsKnown(indicator)) return NotFound();
        var e = await evidence.LoadAsync(roundId, new EvidenceFilter(EvidenceFormat.CategoryOrNull(Category), Source), ct);
        if (e is null || e.CrimeAreas.FirstOrDefault(a => a.Code == crimeArea) is not { } area) return NotFound();
        Live = e;
        Area = area;
        Indicator = indicator;
        Cell = e.Evidence.Cell(crimeArea, indicator);
        var contributions = Cell?.Contributions ?? [];


        Rows = await DescribeAsync(db, contributions, ct);

        var total = contributions.Sum(c => c.Weight);
        Distribution = [.. Enumerable.Range(Indicators.Min, Indicators.Max - Indicators.Min + 1).Select(v =>
        {
            var at = contributions.Where(c => Math.Round(c.Value, MidpointRounding.AwayFromZero) == v).ToList();
            return new Bar(v, at.Count, total > 0 ? at.Sum(c => c.Weight) / total : 0);
        })];
        return Page();
    }

    /// <summary>Contributions as the drill-down tables show them: organisation names, ordered by category, weight, source.</summary>
    public static async Task<IReadOnlyList<Row>> DescribeAsync(Db db, IReadOnlyList<Contribution> contributions, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(contributions);
        var ids = contributions.Select(c => c.OrganisationKey).Where(k => k.StartsWith("organisation:", StringComparison.Ordinal))
            .Select(k => long.Parse(k.AsSpan(13), CultureInfo.InvariantCulture)).Distinct().ToArray();
        var names = new Dictionary<long, string>();
        if (ids.Length > 0)
        {
            await using var conn = await db.OpenAsync(ct);
            names = (await conn.QueryAsync<OrganisationRow>(new CommandDefinition($"SELECT id, name FROM organisations WHERE id {SqlList.In(conn, "@ids")}", new { ids }, cancellationToken: ct)))
                .ToDictionary(o => o.Id, o => o.Name);
        }
        return [.. contributions
            .OrderBy(c => c.Category, StringComparer.Ordinal).ThenByDescending(c => c.Weight).ThenBy(c => c.Source.Value, StringComparer.Ordinal)
            .Select(c => Describe(c, names))];
    }

    private static Row Describe(Contribution c, Dictionary<long, string> names)
    {
        var key = c.OrganisationKey;
        var who = key.StartsWith("organisation:", StringComparison.Ordinal)
            && long.TryParse(key.AsSpan(13), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && names.TryGetValue(id, out var name)
            ? name
            : key;
        return new Row(c, who, ResponseHref(c.Source), c.Source.Value);
    }

    /// <summary>
    /// The coordinator's view of a response revision. Stable URL agreed for the responses pages:
    /// <c>/Rounds/Responses/{responseId}?revision={n}</c>. Workshop scores have no response page.
    /// </summary>
    public static string? ResponseHref(SourceRef source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var v = source.Value;
        if (!v.StartsWith("response:", StringComparison.Ordinal)) return null;
        var slash = v.IndexOf("/rev:", StringComparison.Ordinal);
        if (slash < 0) return null;
        var id = v[9..slash];
        var rev = v[(slash + 5)..];
        return $"/Rounds/Responses/{Uri.EscapeDataString(id)}?revision={Uri.EscapeDataString(rev)}";
    }
}
