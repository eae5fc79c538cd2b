using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;
using Consultation.Core.Scales;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Api;

/// <summary>
/// <c>POST /api/v1/rounds/{id}/responses/import</c> (scope <c>responses:import</c>): indicator scores collected
/// offline or on paper. All or nothing: every row is checked first and any bad row answers 422 listing each
/// bad field (<c>responses[3].scores.DRUGS.DAMAGE</c>), storing nothing.
/// <para>
/// Storage: the round gets one hidden questionnaire (<c>questionnaires.template = 'IMPORT'</c>) whose published
/// version is the five-indicator template for the round's crime areas, with its bindings (a new version when the
/// round's crime areas have grown since). Each row becomes a Submitted response of that version — answers in the
/// template's data format, grading as given (null = the round's default), respondent = the token's creator — with
/// its first revision, so the evidence reads imported responses like any other.
/// </para>
/// <para>
/// Organisations are matched by exact name and must already be invited to the round: an import never widens
/// who is consulted (invite them on the round page, or name them in <c>POST /api/v1/rounds</c>). Several rows of
/// one organisation are allowed; the aggregation gives the organisation one voice (DOMAIN.md rule 2). Archived
/// rounds take no imports (409).
/// </para>
/// <para>
/// An optional <c>Idempotency-Key</c> header makes retries safe: the same key (per token and round) with the same body
/// answers 200 with the first import's result and stores nothing new; the same key with a different body answers 422
/// (the key's import is identified by the SHA-256 of its body, kept on its responses), never the first result.
/// </para>
/// </summary>
public static class ImportApi
{
    /// <summary><c>questionnaires.template</c> of the hidden questionnaire that holds imported responses.</summary>
    public const string ImportTemplate = "IMPORT";
    public const string ImportQuestionnaireTitle = "Imported responses";

    /// <summary>A questionnaire's title as pages show it: the import questionnaire's (stored in English) in the reader's language.</summary>
    public static string DisplayTitle(Microsoft.Extensions.Localization.IStringLocalizer L, string title) =>
        string.Equals(title, ImportQuestionnaireTitle, StringComparison.Ordinal) ? L["Imported responses"] : title;
    private const string ConfidenceKey = "CONFIDENCE";
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>The body (documentation only: the body is read field by field).</summary>
    public sealed record ImportRequest
    {
        public IReadOnlyList<ImportRow> Responses { get; init; } = [];
    }

    public sealed record ImportRow
    {
        /// <summary>Exact name of an organisation invited to the round.</summary>
        public string Organisation { get; init; } = "";
        /// <summary>Europol 4x4 grading such as B1; null = the round's default grading.</summary>
        public string? Grading { get; init; }
        /// <summary>CRIME_AREA → { INDICATOR: 1..5, "CONFIDENCE": "HIGH" | "MEDIUM" | "LOW" }.</summary>
        public IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonElement>> Scores { get; init; } =
            new Dictionary<string, IReadOnlyDictionary<string, JsonElement>>();
    }

    public sealed record ImportResult
    {
        public long RoundId { get; init; }
        public int Imported { get; init; }
        public long QuestionnaireVersionId { get; init; }
        public IReadOnlyList<long> ResponseIds { get; init; } = [];
    }

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/rounds/{id:long}/responses/import", ImportAsync).RequireScope(ApiScopes.ResponsesImport)
            .WithName("ImportResponses")
            .WithSummary("Imports indicator scores as submitted responses, all or nothing.")
            .JsonBody<ImportRequest>()
            .Produces<ImportResult>(StatusCodes.Status201Created)
            .Produces<ImportResult>(StatusCodes.Status200OK)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private sealed record Parsed(long OrganisationId, string? Grading, string DataJson);

    private sealed record RoundRow
    {
        public long Id { get; init; }
        public string Status { get; init; } = "";
    }

    private static async Task<IResult> ImportAsync(long id, HttpRequest request, Db db, AuditLog audit, TimeProvider clock,
        IOptions<ApiOptions> options, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var round = await conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition(
            "SELECT id, status FROM rounds WHERE id = @id", new { id }, cancellationToken: ct));
        if (round is null) return ApiResults.NotFound($"There is no round {id}.");
        if (round.Status == "Archived")
            return ApiResults.Problem(StatusCodes.Status409Conflict, "Round archived", "An archived round takes no imported responses.");

        // The body is read before the Idempotency-Key is looked up: a key answers a retry of the same request only.
        var (bodyBytes, readError) = await ApiResults.ReadBodyAsync(request, options.Value.MaxImportBytes, ct);
        if (readError is not null) return readError;
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(bodyBytes.Span));

        // Idempotency-Key: a client that retries after a lost answer gets the first import's result, not a second copy.
        string? keyPrefix = null;
        if (request.Headers.TryGetValue(IdempotencyHeader, out var keyValues))
        {
            var key = keyValues.ToString().Trim();
            if (key.Length is 0 or > 100 || key.Any(char.IsControl))
            {
                var keyErrors = new FieldErrors();
                keyErrors.Add(IdempotencyHeader, "Use 1 to 100 printable characters, e.g. a UUID.");
                return ApiResults.Invalid(keyErrors);
            }
            keyPrefix = $"import:{ApiUser.TokenId(request.HttpContext)}:{id}:{key}#";
            // The rows of this key are "<prefix><row number>"; the range also holds other keys that begin with this
            // one and '#' (the client's "batch#2" after "batch"), which are not this import.
            var earlier = (await conn.QueryAsync<(long Id, long VersionId, string Key, string? Fingerprint)>(new CommandDefinition("""
                SELECT id, questionnaire_version_id, idempotency_key, idempotency_fingerprint FROM responses
                 WHERE idempotency_key >= @keyPrefix AND idempotency_key < @keyEnd ORDER BY id
                """, new { keyPrefix, keyEnd = keyPrefix[..^1] + "$" }, cancellationToken: ct)))
                .Where(e => e.Key.Length > keyPrefix.Length && e.Key.AsSpan(keyPrefix.Length).IndexOfAnyExceptInRange('0', '9') < 0).ToList();
            // Imports stored before fingerprints were kept (null) can only be replayed.
            if (earlier.Any(e => e.Fingerprint is not null && !string.Equals(e.Fingerprint, fingerprint, StringComparison.Ordinal)))
            {
                var reused = new FieldErrors();
                reused.Add(IdempotencyHeader, "This Idempotency-Key was already used with a different request; " +
                    "send a new key for a new import, or the first request's exact body to get its result.");
                return ApiResults.Invalid(reused, "Nothing was imported: this Idempotency-Key was already used with a different request.");
            }
            if (earlier.Count > 0)
            {
                request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
                return TypedResults.Ok(new ImportResult
                {
                    RoundId = id, Imported = earlier.Count, QuestionnaireVersionId = earlier[0].VersionId, ResponseIds = [.. earlier.Select(e => e.Id)],
                });
            }
        }

        var (doc, error) = ApiResults.ParseJson(bodyBytes);
        if (error is not null) return error;
        using var body = doc;

        var areas = await QuestionnairesSqlAreas(conn, id, ct);
        var organisations = (await conn.QueryAsync<(long Id, string Name, long Invited)>(new CommandDefinition("""
            SELECT o.id, o.name, EXISTS (SELECT 1 FROM round_organisations ro WHERE ro.round_id = @id AND ro.organisation_id = o.id) AS invited
              FROM organisations o
            """, new { id }, cancellationToken: ct))).ToDictionary(o => o.Name, o => (o.Id, Invited: o.Invited == 1), StringComparer.Ordinal);

        var errors = new FieldErrors();
        var rows = Validate(doc!.RootElement, areas.Select(a => a.Code).ToHashSet(StringComparer.Ordinal), organisations,
            options.Value.MaxImportRows, errors);
        if (errors.Any || rows is null)
            return ApiResults.Invalid(errors, $"Nothing was imported: {errors.Count} field(s) are not valid; see errors.");

        var now = clock.GetUtcNow();
        var me = ApiUser.Id(request.HttpContext);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (versionId, schemaJson) = await ImportVersionAsync(conn, tx, id, areas, me, now, ct);
        // Belt and braces: what we store must pass the same server-side check as a respondent's submission.
        for (var i = 0; i < rows.Count; i++)
            foreach (var e in AnswerValidator.Validate(schemaJson, rows[i].DataJson))
                errors.Add($"responses[{i}].scores", e.ToString());
        if (errors.Any)
        {
            await tx.RollbackAsync(ct);
            return ApiResults.Invalid(errors, "Nothing was imported.");
        }

        var ids = new List<long>(rows.Count);
        // Every imported row carries an "import:" key (the client's Idempotency-Key, else a fresh one), so imported
        // responses can always be told apart from the respondent form's.
        var rowKeyPrefix = keyPrefix ?? $"import:{ApiUser.TokenId(request.HttpContext)}:{id}:{Guid.NewGuid():N}#";
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            long responseId;
            try
            {
                responseId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                    INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, source, status, revision, data_json,
                                           submitted_at, idempotency_key, idempotency_fingerprint, grading, graded_by, graded_at, created_at, updated_at)
                    VALUES (@versionId, @OrganisationId, @me, 'Import', 'Submitted', 1, @DataJson,
                            @now, @Key, @Fingerprint, @Grading, CASE WHEN @Grading IS NULL THEN NULL ELSE @me END, CASE WHEN @Grading IS NULL THEN NULL ELSE @now END, @now, @now)
                    RETURNING id
                    """, new
                {
                    versionId, row.OrganisationId, me, row.DataJson, now, row.Grading,
                    Key = rowKeyPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Fingerprint = keyPrefix is null ? null : fingerprint,
                }, tx, cancellationToken: ct));
            }
            catch (DbException ex) when (DbErrors.IsConstraintViolation(ex))
            {
                await tx.RollbackAsync(ct);
                if (ex.Message.Contains("idempotency_key", StringComparison.Ordinal))
                    return ApiResults.Problem(StatusCodes.Status409Conflict, "Import already running",
                        "Another import with this Idempotency-Key was stored at the same moment; retry to get its result.");
                // Migration 0004's one-response-per-respondent-and-version index also covers imported rows, which all
                // carry the token creator as respondent: refuse cleanly (nothing stored) instead of a 500.
                return ApiResults.Problem(StatusCodes.Status409Conflict, "Import refused by the database",
                    "Nothing was imported: the database allows one response per user and questionnaire version " +
                    "(index ux_responses_version_respondent), and imported responses are stored as the token's creator. " +
                    "An administrator must scope that rule to the respondent form before several rows can be imported.");
            }
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by)
                VALUES (@responseId, 1, @DataJson, @now, @me)
                """, new { responseId, row.DataJson, now, me }, tx, cancellationToken: ct));
            ids.Add(responseId);
        }
        await audit.WriteAsync(ApiAuditActions.ResponsesImported, $"round:{id}",
            $"{ids.Count} response(s) into questionnaire version {versionId} with API token \"{ApiUser.TokenName(request.HttpContext)}\"", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"{ApiExtensions.Prefix}/rounds/{id}",
            new ImportResult { RoundId = id, Imported = ids.Count, QuestionnaireVersionId = versionId, ResponseIds = ids });
    }

    private static async Task<IReadOnlyList<CrimeAreaName>> QuestionnairesSqlAreas(DbConnection conn, long roundId, CancellationToken ct) =>
        await Pages.Questionnaires.QuestionnairesSql.CrimeAreasAsync(conn, roundId, ct);

    /// <summary>Checks every row; null or errors when anything is wrong.</summary>
    private static List<Parsed>? Validate(JsonElement root, HashSet<string> roundAreas,
        Dictionary<string, (long Id, bool Invited)> organisations, int maxRows, FieldErrors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "The body must be a JSON object: { \"responses\": [ … ] }.");
            return null;
        }
        new JsonFields(root, "", errors, "responses").RejectUnknown();
        if (!root.TryGetProperty("responses", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("responses", "This field is required: a list of responses.");
            return null;
        }
        var count = list.GetArrayLength();
        if (count == 0) { errors.Add("responses", "The list is empty: nothing to import."); return null; }
        if (count > maxRows) { errors.Add("responses", $"At most {maxRows} responses per import; send several imports."); return null; }

        var rows = new List<Parsed>(count);
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var row = ValidateRow(item, $"responses[{i}]", roundAreas, organisations, errors);
            if (row is not null) rows.Add(row);
            i++;
        }
        return rows;
    }

    private static Parsed? ValidateRow(JsonElement item, string path, HashSet<string> roundAreas,
        Dictionary<string, (long Id, bool Invited)> organisations, FieldErrors errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "Each response must be an object with organisation, grading and scores.");
            return null;
        }
        var before = errors.Count;
        var f = new JsonFields(item, path, errors, "organisation", "grading", "scores");
        f.RejectUnknown();

        long organisationId = 0;
        var name = f.Text("organisation", required: true, maxLength: 200);
        if (name is not null)
        {
            if (!organisations.TryGetValue(name, out var org))
                errors.Add(f.At("organisation"), "No organisation has exactly this name.");
            else if (!org.Invited)
                errors.Add(f.At("organisation"), "This organisation is not invited to the round; invite it first.");
            else organisationId = org.Id;
        }

        string? grading = null;
        if (f.Has("grading", out var g))
        {
            if (g.ValueKind != JsonValueKind.String || g.GetString() is not { Length: 2 } code || !char.IsUpper(code[0])
                || !Grading.TryParse(code, out var parsed))
                errors.Add(f.At("grading"), "Use a Europol 4x4 grading (A, B, C or X followed by 1–4, e.g. B2) or null for the round's default.");
            else grading = parsed.ToString();
        }

        var data = new JsonObject();
        if (!f.Has("scores", out var scores) || scores.ValueKind != JsonValueKind.Object || !scores.EnumerateObject().Any())
        {
            errors.Add(f.At("scores"), "This field is required: { CRIME_AREA: { INDICATOR: 1..5, \"CONFIDENCE\": \"HIGH|MEDIUM|LOW\" } }.");
        }
        else
        {
            foreach (var area in scores.EnumerateObject())
            {
                var areaPath = $"{path}.scores.{area.Name}";
                if (!roundAreas.Contains(area.Name))
                {
                    errors.Add(areaPath, $"Not a crime area of this round; use {string.Join(", ", roundAreas.Order(StringComparer.Ordinal))}.");
                    continue;
                }
                if (area.Value.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(areaPath, "Each crime area needs an object of indicator scores.");
                    continue;
                }
                var values = new JsonObject();
                foreach (var p in area.Value.EnumerateObject())
                {
                    var fieldPath = $"{areaPath}.{p.Name}";
                    if (p.Name == ConfidenceKey)
                    {
                        if (p.Value.ValueKind == JsonValueKind.Null) continue;
                        if (p.Value.ValueKind != JsonValueKind.String || !ConfidenceCodes.TryParse(p.Value.GetString(), out var c))
                            errors.Add(fieldPath, "Use HIGH, MEDIUM or LOW (or leave it out: HIGH).");
                        else data[$"{area.Name}_confidence"] = ConfidenceCodes.Code(c);
                    }
                    else if (!Indicators.IsKnown(p.Name))
                        errors.Add(fieldPath, $"Unknown indicator; use {string.Join(", ", Indicators.All)} or {ConfidenceKey}.");
                    else if (JsonFields.WholeNumber(p.Value) is not { } v || v < Indicators.Min || v > Indicators.Max)
                        errors.Add(fieldPath, $"Enter a whole number from {Indicators.Min} to {Indicators.Max}.");
                    else values[p.Name] = v;
                }
                if (values.Count == 0 && !area.Value.EnumerateObject().Any(p => Indicators.IsKnown(p.Name)))
                    errors.Add(areaPath, "Give at least one indicator score for this crime area.");
                data[$"{area.Name}_indicators"] = values;
            }
        }
        return errors.Count == before ? new Parsed(organisationId, grading, data.ToJsonString()) : null;
    }

    /// <summary>
    /// The published version of the round's import questionnaire for its current crime areas: found, or created
    /// (the questionnaire once, then a new version whenever the template for the round's crime areas differs).
    /// </summary>
    private static async Task<(long VersionId, string SchemaJson)> ImportVersionAsync(DbConnection conn, DbTransaction tx, long roundId,
        IReadOnlyList<CrimeAreaName> areas, long me, DateTimeOffset now, CancellationToken ct)
    {
        var latest = await conn.QueryFirstOrDefaultAsync<VersionRow>(new CommandDefinition("""
            SELECT q.id AS questionnaire_id, v.id, v.version, v.schema_json, v.bindings_json
              FROM questionnaires q JOIN questionnaire_versions v ON v.questionnaire_id = q.id
             WHERE q.round_id = @roundId AND q.template = @ImportTemplate AND v.status = 'Published'
             ORDER BY q.id, v.version DESC LIMIT 1
            """, new { roundId, ImportTemplate }, tx, cancellationToken: ct));
        // The template is deterministic: the latest version is reused only while it is exactly the template for the
        // round's current crime areas (not edited by hand on the questionnaire page, no crime area added or removed).
        var generated = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, areas);
        if (latest is not null && latest.SchemaJson == generated.SchemaJson && latest.BindingsJson == generated.BindingsJson)
            return (latest.Id, latest.SchemaJson);

        var questionnaireId = latest?.QuestionnaireId ?? await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO questionnaires (round_id, title, template, created_by, created_at, updated_at)
            VALUES (@roundId, @Title, @ImportTemplate, @me, @now, @now) RETURNING id
            """, new { roundId, Title = ImportQuestionnaireTitle, ImportTemplate, me, now }, tx, cancellationToken: ct));
        // After any draft a coordinator may have started on it, so the number is free.
        var version = 1 + await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(version), 0) FROM questionnaire_versions WHERE questionnaire_id = @questionnaireId",
            new { questionnaireId }, tx, cancellationToken: ct));
        var versionId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO questionnaire_versions (questionnaire_id, version, status, schema_json, bindings_json, created_by, created_at, updated_at, published_at, published_by)
            VALUES (@questionnaireId, @version, 'Published', @SchemaJson, @BindingsJson, @me, @now, @now, @now, @me) RETURNING id
            """, new { questionnaireId, version, generated.SchemaJson, generated.BindingsJson, me, now }, tx, cancellationToken: ct));
        return (versionId, generated.SchemaJson);
    }

    private sealed record VersionRow
    {
        public long QuestionnaireId { get; init; }
        public long Id { get; init; }
        public long Version { get; init; }
        public string SchemaJson { get; init; } = "";
        public string BindingsJson { get; init; } = "[]";
    }
}
