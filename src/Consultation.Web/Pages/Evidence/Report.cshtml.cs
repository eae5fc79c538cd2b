using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Evidence;

/// <summary>
/// The printable report (print CSS; the browser saves it as PDF): matrix, rankings, PESTLE board and the
/// methodology appendix, for the live evidence or for a snapshot (<c>?snapshot=ID</c>).
/// </summary>
public sealed class ReportModel(EvidenceService evidence, Db db) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Category { get; set; }
    [BindProperty(SupportsGet = true)] public EvidenceSource Source { get; set; } = EvidenceSource.Both;
    [BindProperty(SupportsGet = true)] public long? Snapshot { get; set; }

    public EvidenceView View { get; private set; } = null!;
    public EvidenceSnapshots.SnapshotRow? SnapshotRow { get; private set; }
    /// <summary>The address names a snapshot that cannot be one: the page says so and prints nothing.</summary>
    public bool SnapshotMissing { get; private set; }

    public async Task<IActionResult> OnGetAsync(long roundId, CancellationToken ct)
    {
        // A snapshot asked for by a value that is no snapshot id: not the live figures printed as if they were it.
        if (Snapshot is null && Request.Query.TryGetValue("snapshot", out var asked) && !string.IsNullOrEmpty(asked))
        {
            SnapshotMissing = true;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        if (Snapshot is { } id)
        {
            await using var conn = await db.OpenAsync(ct);
            var s = await EvidenceSnapshots.LoadAsync(conn, id, roundId, ct);
            if (s is null) return NotFound();
            SnapshotRow = s.Row;
            View = new EvidenceView { Report = s.Report, Print = true };
            return Page();
        }
        var e = await evidence.LoadAsync(roundId, new EvidenceFilter(EvidenceFormat.CategoryOrNull(Category), Source), ct);
        if (e is null) return NotFound();
        View = new EvidenceView { Report = EvidenceReport.From(e), Print = true };
        return Page();
    }
}
