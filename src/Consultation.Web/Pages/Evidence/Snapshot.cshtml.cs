using System.Text;
using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Evidence;

/// <summary>One frozen snapshot: its figures exactly as stored, its SHA-256 checked, and the same exports as live evidence.</summary>
public sealed class SnapshotModel(Db db) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public EvidenceSnapshots.Snapshot Snapshot { get; private set; } = null!;
    public EvidenceView View { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is not { } s) return NotFound();
        Snapshot = s;
        View = new EvidenceView { Report = s.Report };
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) is { } s ? File(EvidenceCsv.Cells(s.Report), EvidenceCsv.ContentType, Name(s, "csv")) : NotFound();

    /// <summary>The stored canonical JSON byte for byte, so the file's SHA-256 equals the snapshot's.</summary>
    public async Task<IActionResult> OnGetJsonAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) is { } s ? File(Encoding.UTF8.GetBytes(s.ContentJson), "application/json", Name(s, "json")) : NotFound();

    public async Task<IActionResult> OnGetXlsxAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) is { } s ? File(EvidenceXlsx.Build(s.Report), EvidenceXlsx.ContentType, Name(s, "xlsx")) : NotFound();

    private async Task<EvidenceSnapshots.Snapshot?> LoadAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await EvidenceSnapshots.LoadAsync(conn, id, null, ct);
    }

    private static string Name(EvidenceSnapshots.Snapshot s, string extension) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"round-{s.Row.RoundId}-snapshot-{s.Row.Id}.{extension}");
}
