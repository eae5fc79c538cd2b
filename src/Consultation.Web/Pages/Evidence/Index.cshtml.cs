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
    /// <summary>What to compare with: <c>snapshot-ID</c> (or a bare snapshot id) of this round, or <c>round-ID</c> of another round.</summary>
    [BindProperty(SupportsGet = true)] public string? Compare { get; set; }

    [BindProperty] public FreezeInput Freeze { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }

    public sealed class FreezeInput
    {
        [StringLength(200, ErrorMessage = "The label can have at most 200 characters.")]
        [Infrastructure.SingleLine(ErrorMessage = "The label must be a single line without control characters.")]
        public string? Label { get; set; }

        /// <summary>
        /// A random key per rendered page (a hidden field), stored with the snapshot it freezes: the same form posted again
        /// (Back, then Freeze evidence) goes to that snapshot instead of freezing a duplicate.
        /// </summary>
        public string? FormKey { get; set; }
    }

    public RoundEvidence Live { get; private set; } = null!;
    /// <summary>False when the page shows figures of older data because the current ones are still being computed.</summary>
    public bool IsCurrent { get; private set; } = true;
    public EvidenceView View { get; private set; } = null!;
    public IReadOnlyList<EvidenceSnapshots.SnapshotRow> Snapshots { get; private set; } = [];
    public IReadOnlyList<OtherRound> Rounds { get; private set; } = [];

    /// <summary>Another round whose evidence can be compared with this one.</summary>
    public sealed record OtherRound
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public DateTimeOffset OpensAt { get; init; }
    }

    public static string SnapshotChoice(long id) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"snapshot-{id}");

    public static string RoundChoice(long id) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"round-{id}");

    public EvidenceFilter Filter => new(EvidenceFormat.CategoryOrNull(Category), Source);

    /// <summary>Route values that keep the current filter on links (exports, drill-down, report).</summary>
    public Dictionary<string, string> FilterRoute(long roundId) => new()
    {
        ["roundId"] = roundId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["category"] = Filter.Category ?? "",
        ["source"] = Source.ToString(),
    };

    public async Task<IActionResult> OnGetAsync(long roundId, CancellationToken ct)
    {
        Freeze.FormKey = Infrastructure.FormKeys.New();
        return await LoadAsync(roundId, ct) ? Page() : NotFound();
    }

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
        // A key that is not one this page renders (a hand-made post) is not kept: the snapshot is frozen without one.
        var key = Infrastructure.FormKeys.Valid(Freeze.FormKey);
        await using var conn = await db.OpenAsync(ct);
        if (key is not null && await FrozenFromAsync(conn, key, ct) is { } frozen) return AlreadyFrozen(frozen);
        if (!ModelState.IsValid) return await LoadAsync(roundId, ct) ? Page() : NotFound();
        var e = await evidence.LoadAsync(roundId, Filter, ct);
        if (e is null) return NotFound();
        await using var tx = await conn.BeginTransactionAsync(ct);
        var snapshot = await Infrastructure.FormKeys.InsertOnceAsync(key,
            () => EvidenceSnapshots.FreezeAsync(conn, tx, e, Freeze.Label?.Trim() ?? "", user.Id, clock.GetUtcNow(), ct, key));
        if (snapshot is not var (id, sha))
        {
            await tx.RollbackAsync(ct);
            return await FrozenFromAsync(conn, key!, ct) is { } other ? AlreadyFrozen(other) : RedirectToPage(new { roundId });
        }
        await audit.WriteAsync(EvidenceAudit.Frozen, $"round:{roundId}", $"snapshot:{id} sha256:{sha}", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Evidence frozen as snapshot {0}.", id];
        return RedirectToPage("Snapshot", new { id });
    }

    private static Task<long?> FrozenFromAsync(System.Data.Common.DbConnection conn, string key, CancellationToken ct) =>
        conn.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM evidence_snapshots WHERE form_key = @key", new { key }, cancellationToken: ct));

    private RedirectToPageResult AlreadyFrozen(long id)
    {
        StatusMessage = L["This page had already frozen the evidence as snapshot {0}, so no second snapshot was made.", id];
        return RedirectToPage("Snapshot", new { id });
    }

    private static string FileName(long roundId, string extension, string what = "evidence") =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"round-{roundId}-{what}.{extension}");

    private async Task<bool> LoadAsync(long roundId, CancellationToken ct)
    {
        if (Category is { Length: > 0 } && !OrganisationCategory.IsKnown(Category))
            ModelState.AddModelError(nameof(Category), L["Choose a category from the list."]);
        if (await evidence.LoadForPageAsync(roundId, Filter, ct) is not { } result) return false;
        Live = result.Evidence;
        IsCurrent = result.IsCurrent;
        await using var conn = await db.OpenAsync(ct);
        Snapshots = await EvidenceSnapshots.ListAsync(conn, roundId, ct);
        Rounds = [.. await conn.QueryAsync<OtherRound>(new CommandDefinition(
            "SELECT id, title, opens_at FROM rounds WHERE id <> @roundId ORDER BY opens_at DESC, id DESC", new { roundId }, cancellationToken: ct))];
        var report = EvidenceReport.From(Live);
        EvidenceComparison? comparison = null;
        switch (ParseCompare(Compare))
        {
            case ("snapshot", var snapshotId):
                if (await EvidenceSnapshots.LoadAsync(conn, snapshotId, roundId, ct) is not { } earlier)
                    ModelState.AddModelError(nameof(Compare), L["That snapshot does not belong to this round."]);
                // Figures of different subsets are not changes: only a snapshot frozen with these filters compares.
                else if (earlier.Report.Filter.Category != Filter.Category || earlier.Report.Filter.Source != Filter.Source)
                    ModelState.AddModelError(nameof(Compare), L["That snapshot was frozen with other filters ({0}): choose the same filters to compare with it.",
                        EvidenceFormat.FilterName(L, earlier.Report.Filter.Category, earlier.Report.Filter.Source)]);
                else
                    comparison = EvidenceComparison.Between(report, earlier.Report, SnapshotName(earlier.Row));
                break;
            case ("round", var otherId):
                // The other round's evidence with the same filter, at its current data.
                if (otherId != roundId && Rounds.FirstOrDefault(r => r.Id == otherId) is { } other
                    && await evidence.LoadAsync(otherId, Filter, ct) is { } otherEvidence)
                    comparison = EvidenceComparison.Between(report, EvidenceReport.From(otherEvidence), L["round “{0}”", other.Title]);
                else
                    ModelState.AddModelError(nameof(Compare), L["Choose another round from the list."]);
                break;
            case (null, _) when Compare is { Length: > 0 }:
                ModelState.AddModelError(nameof(Compare), L["Choose a snapshot or a round from the list."]);
                break;
        }
        View = new EvidenceView { Report = report, Comparison = comparison, DrillDown = true };
        return true;
    }

    /// <summary><c>snapshot-12</c>, <c>round-3</c>, or a bare snapshot id (links from the snapshot list).</summary>
    private static (string? Kind, long Id) ParseCompare(string? value)
    {
        if (string.IsNullOrEmpty(value)) return (null, 0);
        var style = System.Globalization.NumberStyles.None;
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (long.TryParse(value, style, invariant, out var bare)) return ("snapshot", bare);
        if (value.StartsWith("snapshot-", StringComparison.Ordinal) && long.TryParse(value.AsSpan(9), style, invariant, out var s)) return ("snapshot", s);
        if (value.StartsWith("round-", StringComparison.Ordinal) && long.TryParse(value.AsSpan(6), style, invariant, out var r)) return ("round", r);
        return (null, 0);
    }

    public string SnapshotName(EvidenceSnapshots.SnapshotRow s) =>
        L["Snapshot {0} of {1:yyyy-MM-dd HH:mm} UTC", s.Id, DisplayFormat.Utc(s.CreatedAt)] + (s.Label.Length > 0 ? $" — {s.Label}" : "");
}
