using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Pages.Rounds;
using Consultation.Web.Rounds;
using Dapper;

namespace Consultation.Web.Api;

/// <summary><c>/api/v1/rounds</c>: list and read (any token), create a Draft round (scope <c>rounds:write</c>).</summary>
public static class RoundsApi
{
    public sealed record Round
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset OpensAt { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public string TimeZone { get; init; } = "";
        public IReadOnlyList<string> CrimeAreas { get; init; } = [];
        public IReadOnlyDictionary<string, double> CategoryWeights { get; init; } = new Dictionary<string, double>();
        public IReadOnlyDictionary<string, double> IndicatorWeights { get; init; } = new Dictionary<string, double>();
        public int MinOrganisations { get; init; }
        public string DefaultGrading { get; init; } = "";
        public int InvitedOrganisations { get; init; }
        public int SubmittedResponses { get; init; }
        /// <summary>Only on <c>GET /rounds/{id}</c>: the invited organisations.</summary>
        public IReadOnlyList<InvitedOrganisation>? Organisations { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    public sealed record InvitedOrganisation
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Category { get; init; } = "";
    }

    /// <summary>The body of <c>POST /api/v1/rounds</c> (documentation only: the body is read field by field).</summary>
    public sealed record CreateRound
    {
        public string Title { get; init; } = "";
        public string? Description { get; init; }
        /// <summary>ISO 8601 with offset; default now.</summary>
        public DateTimeOffset? OpensAt { get; init; }
        /// <summary>ISO 8601 with offset; default 30 days after opening (which, like a given time, must fall before 2100).</summary>
        public DateTimeOffset? ClosesAt { get; init; }
        /// <summary>IANA zone the portal shows times in; default Europe/Belgrade.</summary>
        public string? TimeZone { get; init; }
        public IReadOnlyList<string> CrimeAreas { get; init; } = [];
        /// <summary>CATEGORY → weight above 0 and at most 10; unlisted categories weigh 1.</summary>
        public IReadOnlyDictionary<string, double>? CategoryWeights { get; init; }
        /// <summary>INDICATOR → weight above 0 and at most 10; unlisted indicators weigh 1.</summary>
        public IReadOnlyDictionary<string, double>? IndicatorWeights { get; init; }
        /// <summary>1–100, default 3.</summary>
        public int? MinOrganisations { get; init; }
        /// <summary>Europol 4x4, e.g. B2 (the default).</summary>
        public string? DefaultGrading { get; init; }
        /// <summary>Exact names of existing organisations to invite.</summary>
        public IReadOnlyList<string>? Organisations { get; init; }
    }

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/rounds", ListAsync).RequireScope(null)
            .WithName("ListRounds").WithSummary("All rounds, newest first.")
            .Produces<List<Round>>();
        api.MapGet("/rounds/{id:long}", GetAsync).RequireScope(null)
            .WithName("GetRound").WithSummary("One round with its settings and invited organisations.")
            .Produces<Round>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/rounds", CreateAsync).RequireScope(ApiScopes.RoundsWrite)
            .WithName("CreateRound").WithSummary("Creates a Draft round.")
            .JsonBody<CreateRound>()
            .Produces<Round>(StatusCodes.Status201Created)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
    }

    private sealed record RoundRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset OpensAt { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public string TimeZone { get; init; } = "";
        public long MinOrganisations { get; init; }
        public string DefaultGrading { get; init; } = "";
        public string CategoryWeightsJson { get; init; } = "{}";
        public string IndicatorWeightsJson { get; init; } = "{}";
        public string? CrimeAreas { get; init; }
        public long InvitedOrganisations { get; init; }
        public long SubmittedResponses { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    private const string RoundSelect = """
        SELECT r.id, r.title, r.status, r.opens_at, r.closes_at, r.time_zone, r.min_organisations, r.default_grading,
               r.category_weights_json, r.indicator_weights_json, r.created_at, r.updated_at,
               (SELECT string_agg(ca.code, ' ' ORDER BY ca.sort_order, ca.code) FROM round_crime_areas rca JOIN crime_areas ca ON ca.code = rca.crime_area_code
                 WHERE rca.round_id = r.id) AS crime_areas,
               (SELECT COUNT(*) FROM round_organisations ro WHERE ro.round_id = r.id) AS invited_organisations,
               (SELECT COUNT(*) FROM responses s JOIN questionnaire_versions v ON v.id = s.questionnaire_version_id
                                                 JOIN questionnaires q ON q.id = v.questionnaire_id
                 WHERE q.round_id = r.id AND s.status = 'Submitted') AS submitted_responses
          FROM rounds r
        """;

    private static async Task<IResult> ListAsync(Db db, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var rows = await conn.QueryAsync<RoundRow>(new CommandDefinition(RoundSelect + " ORDER BY r.created_at DESC, r.id DESC", cancellationToken: ct));
        return TypedResults.Ok(rows.Select(r => ToRound(r, null)).ToList());
    }

    private static async Task<IResult> GetAsync(long id, Db db, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var round = await LoadAsync(conn, id, ct);
        return round is null ? ApiResults.NotFound($"There is no round {id}.") : TypedResults.Ok(round);
    }

    internal static async Task<Round?> LoadAsync(DbConnection conn, long id, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition(RoundSelect + " WHERE r.id = @id", new { id }, cancellationToken: ct));
        if (row is null) return null;
        var orgs = await conn.QueryAsync<InvitedOrganisation>(new CommandDefinition("""
            SELECT o.id, o.name, o.category FROM round_organisations ro JOIN organisations o ON o.id = ro.organisation_id
             WHERE ro.round_id = @id ORDER BY o.name
            """, new { id }, cancellationToken: ct));
        return ToRound(row, orgs.ToList());
    }

    private static Round ToRound(RoundRow r, IReadOnlyList<InvitedOrganisation>? orgs) => new()
    {
        Id = r.Id, Title = r.Title, Status = r.Status, OpensAt = r.OpensAt, ClosesAt = r.ClosesAt, TimeZone = r.TimeZone,
        CrimeAreas = (r.CrimeAreas ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        CategoryWeights = Weights(r.CategoryWeightsJson, OrganisationCategory.All),
        IndicatorWeights = Weights(r.IndicatorWeightsJson, Indicators.All),
        MinOrganisations = (int)r.MinOrganisations, DefaultGrading = r.DefaultGrading,
        InvitedOrganisations = (int)r.InvitedOrganisations, SubmittedResponses = (int)r.SubmittedResponses,
        Organisations = orgs, CreatedAt = r.CreatedAt, UpdatedAt = r.UpdatedAt,
    };

    /// <summary>Every key with its stored weight, 1 where none is stored.</summary>
    private static Dictionary<string, double> Weights(string json, IReadOnlyList<string> keys)
    {
        Dictionary<string, double> stored;
        try { stored = JsonSerializer.Deserialize<Dictionary<string, double>>(string.IsNullOrWhiteSpace(json) ? "{}" : json) ?? []; }
        catch (JsonException) { stored = []; }
        return keys.ToDictionary(k => k, k => stored.TryGetValue(k, out var w) ? w : 1.0, StringComparer.Ordinal);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, Db db, AuditLog audit, RichText richText, TimeProvider clock, CancellationToken ct)
    {
        var (doc, error) = await ApiResults.ReadJsonAsync(request, 256 * 1024, ct);
        if (error is not null) return error;
        using var body = doc;
        var errors = new FieldErrors();
        var root = doc!.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "The body must be a JSON object.");
            return ApiResults.Invalid(errors);
        }
        var f = new JsonFields(root, "", errors, "title", "description", "opensAt", "closesAt", "timeZone", "crimeAreas",
            "categoryWeights", "indicatorWeights", "minOrganisations", "defaultGrading", "organisations");
        f.RejectUnknown();
        var title = f.Text("title", required: true, maxLength: 200);
        var description = f.Text("description", required: false, maxLength: 20000, multiLine: true);
        var timeZone = f.Text("timeZone", required: false, maxLength: 100) ?? RoundForm.DefaultTimeZone;
        // Only IANA names: on Linux a Windows id ("Central European Standard Time") is found too, but browsers and
        // other clients reading the round back understand IANA names only.
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) || !zone.HasIanaId)
            errors.Add("timeZone", "Unknown time zone; use an IANA name such as Europe/Belgrade.");
        var now = clock.GetUtcNow();
        var opensAt = Time(f, "opensAt", errors) ?? now;
        var closesAt = Time(f, "closesAt", errors);
        if (closesAt is null && !f.Has("closesAt", out _))
        {
            // The default obeys the rule a given closesAt does: no silent round that closes in 2100.
            closesAt = opensAt.AddDays(DefaultDays);
            if (!InRange(closesAt.Value))
                errors.Add("closesAt", $"The default closing time, {DefaultDays} days after opening, would fall after 2099; give closesAt (a time between the years 2000 and 2099).");
        }
        if (closesAt <= opensAt) errors.Add("closesAt", "The closing time must be after the opening time.");
        var minOrganisations = f.WholeNumber("minOrganisations", 1, 100) ?? 3;
        var gradingText = f.Text("defaultGrading", required: false, maxLength: 2) ?? Grading.Default.ToString();
        var gradingValid = Grading.TryParse(gradingText, out var grading);
        if (!gradingValid) errors.Add("defaultGrading", "Use a Europol 4x4 grading: A, B, C or X followed by 1–4, e.g. B2.");

        await using var conn = await db.OpenAsync(ct);
        var known = (await conn.QueryAsync<(string Code, long Active)>(new CommandDefinition(
            "SELECT code, active FROM crime_areas", cancellationToken: ct))).ToDictionary(a => a.Code, a => a.Active == 1, StringComparer.Ordinal);
        var areas = new List<string>();
        if (!f.Has("crimeAreas", out var areasJson)) errors.Add("crimeAreas", "Choose at least one crime area.");
        else if (areasJson.ValueKind != JsonValueKind.Array) errors.Add("crimeAreas", "This field must be a list of crime area codes.");
        else
        {
            var i = 0;
            foreach (var a in areasJson.EnumerateArray())
            {
                var code = a.ValueKind == JsonValueKind.String ? a.GetString()! : null;
                if (code is null || !known.TryGetValue(code, out var active) || !active)
                    errors.Add($"crimeAreas[{i}]", $"Unknown crime area; use one of {string.Join(", ", known.Where(k => k.Value).Select(k => k.Key))}.");
                else if (!areas.Contains(code)) areas.Add(code);
                i++;
            }
            if (i == 0) errors.Add("crimeAreas", "Choose at least one crime area.");
        }
        var categoryWeights = WeightsInput(f, "categoryWeights", OrganisationCategory.All, errors);
        var indicatorWeights = WeightsInput(f, "indicatorWeights", Indicators.All, errors);

        var organisations = new List<long>();
        if (f.Has("organisations", out var orgsJson))
        {
            if (orgsJson.ValueKind != JsonValueKind.Array) errors.Add("organisations", "This field must be a list of organisation names.");
            else
            {
                var byName = (await conn.QueryAsync<(long Id, string Name)>(new CommandDefinition(
                    "SELECT id, name FROM organisations", cancellationToken: ct))).ToDictionary(o => o.Name, o => o.Id, StringComparer.Ordinal);
                var i = 0;
                foreach (var o in orgsJson.EnumerateArray())
                {
                    var name = o.ValueKind == JsonValueKind.String ? o.GetString()! : null;
                    if (name is null || !byName.TryGetValue(name, out var orgId))
                        errors.Add($"organisations[{i}]", "No organisation has exactly this name; create it first (POST /api/v1/organisations).");
                    else if (!organisations.Contains(orgId)) organisations.Add(orgId);
                    i++;
                }
            }
        }
        if (errors.Any) return ApiResults.Invalid(errors);

        var parsed = new ParsedRound
        {
            Title = title!, DescriptionHtml = richText.Sanitize(description), OpensAt = opensAt.ToUniversalTime(), ClosesAt = closesAt!.Value.ToUniversalTime(),
            TimeZone = timeZone, CrimeAreas = areas, Organisations = organisations,
            CategoryWeightsJson = JsonSerializer.Serialize(categoryWeights), IndicatorWeightsJson = JsonSerializer.Serialize(indicatorWeights),
            DefaultGrading = grading.ToString(), MinOrganisations = minOrganisations,
        };
        var me = ApiUser.Id(request.HttpContext);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await RoundsSql.InsertAsync(conn, tx, parsed, me, now, ct);
        await audit.WriteAsync(AuditActions.RoundCreated, $"round:{id}", $"{parsed.Title} via API", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        return TypedResults.Created($"{ApiExtensions.Prefix}/rounds/{id}", await LoadAsync(conn, id, ct));
    }

    /// <summary>Days from opening to the default closing time.</summary>
    private const int DefaultDays = 30;

    /// <summary>Both ends are checked in UTC, as they are stored: 2099-12-31T23:00:00-05:00 is in 2100.</summary>
    private static bool InRange(DateTimeOffset t) => t.UtcDateTime.Year is >= 2000 and < 2100;

    /// <summary>
    /// The ISO 8601 (RFC 3339) forms taken: date, 'T', time to the minute, second or fraction, then Z or an offset. Nothing
    /// else: a lenient parse reads "03/01/2027 09:00 +01:00" US-style (3 January), which a European reader means as 1 March.
    /// </summary>
    private static readonly string[] IsoFormats =
    [
        "yyyy'-'MM'-'dd'T'HH':'mmzzz", "yyyy'-'MM'-'dd'T'HH':'mm':'sszzz", "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz",
        "yyyy'-'MM'-'dd'T'HH':'mm'Z'", "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'",
    ];

    private static DateTimeOffset? Time(JsonFields f, string name, FieldErrors errors)
    {
        if (!f.Has(name, out var v)) return null;
        // The offset is required (every form has one): a time without one would silently mean the server's zone.
        if (v.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParseExact(v.GetString(), IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            if (InRange(t)) return t;
            errors.Add(name, "Use a time between the years 2000 and 2099 (in UTC).");
            return null;
        }
        errors.Add(name, "Use an ISO 8601 time with its offset, e.g. 2027-03-01T09:00:00+01:00 or 2027-03-01T08:00:00Z.");
        return null;
    }

    /// <summary>Every key weighted: given weights above 0 and at most 10, the rest 1.</summary>
    private static Dictionary<string, double>? WeightsInput(JsonFields f, string name, IReadOnlyList<string> keys, FieldErrors errors)
    {
        var result = keys.ToDictionary(k => k, _ => 1.0, StringComparer.Ordinal);
        if (!f.Has(name, out var obj)) return result;
        if (obj.ValueKind != JsonValueKind.Object)
        {
            errors.Add(name, $"This field must be an object of weights, e.g. {{ \"{keys[0]}\": 1.5 }}.");
            return null;
        }
        foreach (var p in obj.EnumerateObject())
        {
            if (!keys.Contains(p.Name, StringComparer.Ordinal))
                errors.Add($"{name}.{p.Name}", $"Unknown code; use {string.Join(", ", keys)}.");
            else if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out var w) || !double.IsFinite(w) || w <= 0 || w > 10)
                errors.Add($"{name}.{p.Name}", "Enter a weight above 0 and at most 10, e.g. 1.5.");
            else result[p.Name] = w;
        }
        return result;
    }
}

/// <summary>Who the API acts as: the creator of the bearer token.</summary>
public static class ApiUser
{
    public static long Id(HttpContext context) =>
        long.Parse(context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value, CultureInfo.InvariantCulture);

    public static string TokenId(HttpContext context) => context.User.FindFirst(BearerTokenHandler.TokenIdClaim)?.Value ?? "";

    public static string TokenName(HttpContext context) => context.User.FindFirst(BearerTokenHandler.TokenNameClaim)?.Value ?? "";
}
