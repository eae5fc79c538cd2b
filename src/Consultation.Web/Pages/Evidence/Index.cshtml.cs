using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Consultation.Core.Organisations;
using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Localization;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Evidence;

/// <summary>
/// A round's live evidence for coordinators: matrix, composite ranking, sensitivity, PESTLE, social tolerance,
/// comparison with a snapshot, exports and "Freeze evidence".
/// </summary>
public sealed class IndexModel(EvidenceService evidence, Db db, AuditLog audit, CurrentUser user, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Category { get; set; }
    [BindProperty(SupportsGet = true)] public EvidenceSource Source { get; set; } = EvidenceSource.Both;
    /// <summary>Id of an earlier snapshot of this round to compare with.</summary>
    [BindProperty(SupportsGet = true)] public long? Compare { get; set; }

    [BindProperty] public FreezeInput Freeze { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }

    public sealed class FreezeInput
    {
        [StringLength(200, ErrorMessage = "The label can have at most 200 characters.")]
        public string? Label { get; set; }
    }

    public RoundEvidence Live { get; private set; } = null!;
    public EvidenceView View { get; private set; } = null!;
    public IReadOnlyList<EvidenceSnapshots.SnapshotRow> Snapshots { get; private set; } = [];

    public EvidenceFilter Filter => new(EvidenceFormat.CategoryOrNull(Category), Source);

    /// <summary>Route values that keep the current filter on links (exports, drill-down, report).</summary>
    public Dictionary<string, string> FilterRoute(long roundId) => new()
    {
        ["roundId"] = roundId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["category"] = Filter.Category ?? "",
        ["source"] = Source.ToString(),
    };

    public async Task<IActionResult> OnGetAsync(long roundId, CancellationToken ct) =>
        await LoadAsync(roundId, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnGetCsvAsync(long roundId, CancellationToken ct)
    {
        var e = await evidence.LoadAsync(roundId, Filter, ct);
        return e is null ? NotFound() : File(EvidenceCsv.Cells(EvidenceReport.From(e)), EvidenceCsv.ContentType, FileName(roundId, "csv"));
    }

    public async Task<IActionResult> OnGetJsonAsync(long roundId, CancellationToken ct)
    {
        var e = await evidence.LoadAsync(roundId, Filter, ct);
        return e is null ? NotFound()
            : File(JsonSerializer.SerializeToUtf8Bytes(EvidenceReport.From(e), EvidenceReport.JsonOptions), "application/json", FileName(roundId, "json"));
    }

    public async Task<IActionResult> OnGetXlsxAsync(long roundId, CancellationToken ct)
    {
        var e = await evidence.LoadAsync(roundId, Filter, ct);
        return e is null ? NotFound() : File(EvidenceXlsx.Build(EvidenceReport.From(e)), EvidenceXlsx.ContentType, FileName(roundId, "xlsx"));
    }

    /// <summary>Raw answers of every submitted response (latest revision) in the round, flattened; names organisations.</summary>
    public async Task<IActionResult> OnGetRawAsync(long roundId, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM rounds WHERE id = @roundId", new { roundId }, cancellationToken: ct)) is null)
            return NotFound();
        var rows = await conn.QueryAsync<EvidenceCsv.RawResponse>(new CommandDefinition("""
            SELECT r.id, COALESCE(rr.revision_no, r.revision) AS revision_no, q.title AS questionnaire, v.version,
                   o.name AS organisation, o.category, r.grading, r.status, COALESCE(rr.submitted_at, r.submitted_at) AS submitted_at,
                   COALESCE(rr.data_json, r.data_json) AS data_json
              FROM responses r
              JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
              JOIN questionnaires q ON q.id = v.questionnaire_id
              JOIN organisations o ON o.id = r.organisation_id
              LEFT JOIN response_revisions rr ON rr.response_id = r.id
                   AND rr.revision_no = (SELECT MAX(x.revision_no) FROM response_revisions x WHERE x.response_id = r.id)
             WHERE q.round_id = @roundId AND r.status = 'Submitted'
             ORDER BY q.id, r.id
            """, new { roundId }, cancellationToken: ct));
        return File(EvidenceCsv.RawResponses(rows), EvidenceCsv.ContentType, FileName(roundId, "csv", "responses"));
    }

    public async Task<IActionResult> OnPostFreezeAsync(long roundId, CancellationToken ct)
    {
        if (!ModelState.IsValid) return await LoadAsync(roundId, ct) ? Page() : NotFound();
        var e = await evidence.LoadAsync(roundId, Filter, ct);
        if (e is null) return NotFound();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (id, sha) = await EvidenceSnapshots.FreezeAsync(conn, tx, e, Freeze.Label?.Trim() ?? "", user.Id, clock.GetUtcNow(), ct);
        await audit.WriteAsync(EvidenceSnapshots.AuditAction, $"round:{roundId}", $"snapshot:{id} sha256:{sha}", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Evidence frozen as snapshot {0}.", id];
        return RedirectToPage("Snapshot", new { id });
    }

    private static string FileName(long roundId, string extension, string what = "evidence") =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"round-{roundId}-{what}.{extension}");

    private async Task<bool> LoadAsync(long roundId, CancellationToken ct)
    {
        if (Category is { Length: > 0 } && !OrganisationCategory.IsKnown(Category))
            ModelState.AddModelError(nameof(Category), L["Choose a category from the list."]);
        var e = await evidence.LoadAsync(roundId, Filter, ct);
        if (e is null) return false;
        Live = e;
        await using var conn = await db.OpenAsync(ct);
        Snapshots = await EvidenceSnapshots.ListAsync(conn, roundId, ct);
        EvidenceSnapshots.Snapshot? earlier = null;
        if (Compare is { } snapshotId)
        {
            earlier = await EvidenceSnapshots.LoadAsync(conn, snapshotId, roundId, ct);
            if (earlier is null) ModelState.AddModelError(nameof(Compare), L["That snapshot does not belong to this round."]);
        }
        View = new EvidenceView
        {
            Report = EvidenceReport.From(e),
            Earlier = earlier?.Report,
            EarlierLabel = earlier is null ? null : SnapshotName(earlier.Row),
            DrillDown = true,
        };
        return true;
    }

    public string SnapshotName(EvidenceSnapshots.SnapshotRow s) =>
        L["Snapshot {0} of {1:yyyy-MM-dd HH:mm} UTC", s.Id, DisplayFormat.Utc(s.CreatedAt)] + (s.Label.Length > 0 ? $" — {s.Label}" : "");
}
