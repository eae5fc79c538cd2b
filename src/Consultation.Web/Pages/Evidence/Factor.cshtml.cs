using Consultation.Core.Aggregation;
using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Evidence;

/// <summary>
/// Drill-down of one PESTLE factor (coordinators only, DOMAIN.md "Confidentiality rules"): its score (rule 6) and every
/// respondent's impact × likelihood with how its weight came about, linked to the response revision behind it.
/// </summary>
public sealed class FactorModel(EvidenceService evidence, Db db) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Category { get; set; }
    [BindProperty(SupportsGet = true)] public EvidenceSource Source { get; set; } = EvidenceSource.Both;
    /// <summary>The factor key: <c>factor:ID</c> (workshops) or <c>text:DIMENSION:…</c> (questionnaires).</summary>
    [BindProperty(Name = "factor", SupportsGet = true)] public string? Key { get; set; }

    public RoundEvidence Live { get; private set; } = null!;
    public PestleScore Factor { get; private set; } = null!;
    public string Text { get; private set; } = "";
    public IReadOnlyList<CellModel.Row> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long roundId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(Key)) return NotFound();
        var e = await evidence.LoadAsync(roundId, new EvidenceFilter(EvidenceFormat.CategoryOrNull(Category), Source), ct);
        if (e?.Pestle.Factors.FirstOrDefault(f => string.Equals(f.FactorKey, Key, StringComparison.Ordinal)) is not { } factor) return NotFound();
        Live = e;
        Factor = factor;
        Text = e.FactorText(factor.FactorKey);
        Rows = await CellModel.DescribeAsync(db, factor.Contributions, ct);
        return Page();
    }
}
