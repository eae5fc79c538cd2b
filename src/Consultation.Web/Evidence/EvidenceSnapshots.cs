using System.Data.Common;
using Dapper;

namespace Consultation.Web.Evidence;

/// <summary>Audit actions of the evidence, stable strings stored in <c>audit_log.action</c>.</summary>
public static class EvidenceAudit
{
    public const string Frozen = "evidence.frozen";
}

/// <summary>
/// Frozen evidence (DOMAIN.md, "Evidence": a snapshot freezes it). The stored content is the canonical JSON of an
/// <see cref="EvidenceReport"/> with its sources, and its SHA-256; the table refuses updates and deletes (migration
/// 0006), so later changes to responses, scores or weights cannot alter a snapshot. Used by the evidence pages and
/// the API.
/// </summary>
public static class EvidenceSnapshots
{
    public sealed record SnapshotRow
    {
        public long Id { get; init; }
        public long RoundId { get; init; }
        public string Label { get; init; } = "";
        public string FormulaVersion { get; init; } = "";
        public string? Category { get; init; }
        public string Source { get; init; } = "Both";
        public string Sha256 { get; init; } = "";
        public long CreatedBy { get; init; }
        public string? CreatedByName { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    public sealed record Snapshot
    {
        public required SnapshotRow Row { get; init; }
        public required string ContentJson { get; init; }
        public required EvidenceReport Report { get; init; }

        /// <summary>True when the stored content still hashes to the stored SHA-256.</summary>
        public bool Verified => string.Equals(EvidenceReport.Sha256Hex(ContentJson), Row.Sha256, StringComparison.Ordinal);
    }

    /// <summary>Stores <paramref name="evidence"/> as a snapshot; returns its id and SHA-256. Runs in the caller's transaction.</summary>
    public static async Task<(long Id, string Sha256)> FreezeAsync(DbConnection conn, DbTransaction? tx, RoundEvidence evidence, string label,
        long userId, DateTimeOffset now, CancellationToken ct, string? formKey = null)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var json = EvidenceReport.From(evidence, withSources: true).ToCanonicalJson();
        var sha = EvidenceReport.Sha256Hex(json);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO evidence_snapshots (round_id, label, formula_version, category, source, content_json, sha256, created_by, created_at, form_key)
            VALUES (@RoundId, @label, @FormulaVersion, @Category, @Source, @json, @sha, @userId, @now, @formKey) RETURNING id
            """, new
        {
            RoundId = evidence.Round.Id, label, evidence.FormulaVersion, evidence.Filter.Category,
            Source = evidence.Filter.Source.ToString(), json, sha, userId, now, formKey,
        }, tx, cancellationToken: ct));
        return (id, sha);
    }

    public static async Task<IReadOnlyList<SnapshotRow>> ListAsync(DbConnection conn, long roundId, CancellationToken ct) =>
        [.. await conn.QueryAsync<SnapshotRow>(new CommandDefinition("""
            SELECT s.id, s.round_id, s.label, s.formula_version, s.category, s.source, s.sha256, s.created_by,
                   u.display_name AS created_by_name, s.created_at
              FROM evidence_snapshots s LEFT JOIN users u ON u.id = s.created_by
             WHERE s.round_id = @roundId ORDER BY s.created_at DESC, s.id DESC
            """, new { roundId }, cancellationToken: ct))];

    /// <summary>The snapshot; null when there is none with this id (in this round, when <paramref name="roundId"/> is given).</summary>
    public static async Task<Snapshot?> LoadAsync(DbConnection conn, long id, long? roundId, CancellationToken ct)
    {
        var meta = await conn.QuerySingleOrDefaultAsync<SnapshotRow>(new CommandDefinition("""
            SELECT s.id, s.round_id, s.label, s.formula_version, s.category, s.source, s.sha256, s.created_by,
                   u.display_name AS created_by_name, s.created_at
              FROM evidence_snapshots s LEFT JOIN users u ON u.id = s.created_by
             WHERE s.id = @id AND (@roundId IS NULL OR s.round_id = @roundId)
            """, new { id, roundId }, cancellationToken: ct));
        if (meta is null) return null;
        var content = await conn.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT content_json FROM evidence_snapshots WHERE id = @id", new { id }, cancellationToken: ct)) ?? "{}";
        return new Snapshot { Row = meta, ContentJson = content, Report = EvidenceReport.FromJson(content) };
    }
}
