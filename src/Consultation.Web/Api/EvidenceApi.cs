using System.Text.Json;
using Consultation.Core.Organisations;
using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;

namespace Consultation.Web.Api;

/// <summary>
/// Evidence for the ministry's analysis tools (scope <c>evidence:read</c>): the live evidence of a round as JSON
/// or CSV, freezing it as a snapshot, and reading a snapshot. The shape is <see cref="EvidenceReport"/> — the same
/// figures the evidence page, exports and snapshots carry: rounded to 4 decimals, suppressed cells with counts
/// but no statistics, no organisation named. Optional filters: <c>?category=NGO&amp;source=Questionnaires</c>
/// (a filtered view applies suppression to its own subset).
/// </summary>
public static class EvidenceApi
{
    /// <summary>The body of <c>POST /rounds/{id}/snapshots</c>; every field optional.</summary>
    public sealed record CreateSnapshot
    {
        public string? Label { get; init; }
        /// <summary>Organisation category to restrict the evidence to; null = all.</summary>
        public string? Category { get; init; }
        /// <summary>Both (default), Questionnaires or Workshops.</summary>
        public string? Source { get; init; }
    }

    public sealed record Snapshot
    {
        public long Id { get; init; }
        public long RoundId { get; init; }
        public string Label { get; init; } = "";
        public string FormulaVersion { get; init; } = "";
        /// <summary>SHA-256 of the stored canonical JSON of <see cref="Evidence"/>.</summary>
        public string Sha256 { get; init; } = "";
        /// <summary>True when the stored content still hashes to <see cref="Sha256"/>.</summary>
        public bool Verified { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public string? CreatedBy { get; init; }
        public EvidenceReport? Evidence { get; init; }
    }

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/rounds/{id:long}/evidence", EvidenceAsync).RequireScope(ApiScopes.EvidenceRead)
            .WithName("GetEvidence").WithSummary("The round's live evidence: cells, composite scores and ranks, PESTLE, social tolerance.")
            .Produces<EvidenceReport>().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/rounds/{id:long}/evidence.csv", CsvAsync).RequireScope(ApiScopes.EvidenceRead)
            .WithName("GetEvidenceCsv").WithSummary("The live evidence as CSV (UTF-8 with BOM, one row per cell, formula-safe).")
            .Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/rounds/{id:long}/snapshots", FreezeAsync).RequireScope(ApiScopes.EvidenceRead)
            .WithName("CreateSnapshot").WithSummary("Freezes the round's evidence as an immutable snapshot.")
            .JsonBody<CreateSnapshot>(required: false)
            .Produces<Snapshot>(StatusCodes.Status201Created).ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/snapshots/{id:long}", SnapshotAsync).RequireScope(ApiScopes.EvidenceRead)
            .WithName("GetSnapshot").WithSummary("A snapshot with its frozen evidence and SHA-256.")
            .Produces<Snapshot>().ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static (EvidenceFilter? Filter, FieldErrors Errors) Filter(string? category, string? source, FieldErrors? errors = null)
    {
        errors ??= new FieldErrors();
        category = string.IsNullOrWhiteSpace(category) ? null : category.Trim();
        if (category is not null && !OrganisationCategory.IsKnown(category))
            errors.Add("category", $"Use one of {string.Join(", ", OrganisationCategory.All)}, or leave it out for all.");
        var src = EvidenceSource.Both;
        if (!string.IsNullOrWhiteSpace(source) && (!Enum.TryParse(source.Trim(), ignoreCase: true, out src) || !Enum.IsDefined(src)))
            errors.Add("source", "Use Both, Questionnaires or Workshops.");
        return (errors.Any ? null : new EvidenceFilter(category, src), errors);
    }

    private static async Task<IResult> EvidenceAsync(long id, string? category, string? source, EvidenceService evidence, CancellationToken ct)
    {
        var (filter, errors) = Filter(category, source);
        if (filter is null) return ApiResults.Invalid(errors);
        var e = await evidence.LoadAsync(id, filter, ct);
        return e is null ? ApiResults.NotFound($"There is no round {id}.") : Results.Json(EvidenceReport.From(e), EvidenceReport.JsonOptions);
    }

    private static async Task<IResult> CsvAsync(long id, string? category, string? source, EvidenceService evidence, CancellationToken ct)
    {
        var (filter, errors) = Filter(category, source);
        if (filter is null) return ApiResults.Invalid(errors);
        var e = await evidence.LoadAsync(id, filter, ct);
        return e is null
            ? ApiResults.NotFound($"There is no round {id}.")
            : Results.File(EvidenceCsv.Cells(EvidenceReport.From(e)), EvidenceCsv.ContentType, $"round-{id}-evidence.csv");
    }

    private static async Task<IResult> FreezeAsync(long id, HttpRequest request, EvidenceService evidence, Db db, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        string? label = null, category = null, source = null;
        var errors = new FieldErrors();
        // The body is optional: no body (or an empty one) freezes the unfiltered evidence. A body without a content type
        // is read too, so it is refused (415), not ignored: a label sent that way would otherwise be lost from the snapshot.
        if (request.ContentLength is not 0 && (request.ContentType is not null || request.ContentLength > 0))
        {
            var (doc, error) = await ApiResults.ReadJsonAsync(request, 16 * 1024, ct);
            if (error is not null) return error;
            using var body = doc;
            if (doc!.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add("$", "The body must be a JSON object.");
                return ApiResults.Invalid(errors);
            }
            var f = new JsonFields(doc.RootElement, "", errors, "label", "category", "source");
            f.RejectUnknown();
            label = f.Text("label", required: false, maxLength: 200);
            category = f.Text("category", required: false, maxLength: 20);
            source = f.Text("source", required: false, maxLength: 20);
        }
        var (filter, _) = Filter(category, source, errors);
        if (errors.Any || filter is null) return ApiResults.Invalid(errors);

        var e = await evidence.LoadAsync(id, filter, ct);
        if (e is null) return ApiResults.NotFound($"There is no round {id}.");
        var me = ApiUser.Id(request.HttpContext);
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (snapshotId, sha) = await EvidenceSnapshots.FreezeAsync(conn, tx, e, label ?? "", me, clock.GetUtcNow(), ct);
        await audit.WriteAsync(EvidenceAudit.Frozen, $"round:{id}",
            $"snapshot:{snapshotId} sha256:{sha} via API token \"{ApiUser.TokenName(request.HttpContext)}\"", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        var snapshot = await EvidenceSnapshots.LoadAsync(conn, snapshotId, null, ct);
        request.HttpContext.Response.Headers.Location = $"{ApiExtensions.Prefix}/snapshots/{snapshotId}";
        return Results.Json(ToDto(snapshot!), EvidenceReport.JsonOptions, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> SnapshotAsync(long id, Db db, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var snapshot = await EvidenceSnapshots.LoadAsync(conn, id, null, ct);
        return snapshot is null ? ApiResults.NotFound($"There is no snapshot {id}.") : Results.Json(ToDto(snapshot), EvidenceReport.JsonOptions);
    }

    private static Snapshot ToDto(EvidenceSnapshots.Snapshot s) => new()
    {
        Id = s.Row.Id, RoundId = s.Row.RoundId, Label = s.Row.Label, FormulaVersion = s.Row.FormulaVersion, Sha256 = s.Row.Sha256,
        Verified = s.Verified, CreatedAt = s.Row.CreatedAt, CreatedBy = s.Row.CreatedByName, Evidence = s.Report,
    };
}
