using System.Data.Common;
using System.Text.RegularExpressions;
using Consultation.Core.Organisations;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;

namespace Consultation.Web.Api;

/// <summary><c>/api/v1/organisations</c>: list, read, and create (scope <c>rounds:write</c>; a duplicate name is 409).</summary>
public static partial class OrganisationsApi
{
    public sealed record Organisation
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Category { get; init; } = "";
        public string Country { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
    }

    /// <summary>The body of <c>POST /api/v1/organisations</c> (documentation only: the body is read field by field).</summary>
    public sealed record CreateOrganisation
    {
        public string Name { get; init; } = "";
        /// <summary>MINISTRY, AGENCY, NGO, ACADEMIC, INTERNATIONAL or OTHER.</summary>
        public string Category { get; init; } = "";
        /// <summary>Two-letter country code, e.g. RS (optional).</summary>
        public string? Country { get; init; }
    }

    [GeneratedRegex("^[A-Za-z]{2}$")]
    private static partial Regex CountryCode();

    private const string Columns = "id, name, category, country, created_at";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/organisations", ListAsync).RequireScope(null)
            .WithName("ListOrganisations").WithSummary("All organisations, by name.")
            .Produces<List<Organisation>>();
        api.MapGet("/organisations/{id:long}", GetAsync).RequireScope(null)
            .WithName("GetOrganisation").WithSummary("One organisation.")
            .Produces<Organisation>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/organisations", CreateAsync).RequireScope(ApiScopes.RoundsWrite)
            .WithName("CreateOrganisation").WithSummary("Creates an organisation; a name that exists already (in any letter case) is 409.")
            .JsonBody<CreateOrganisation>()
            .Produces<Organisation>(StatusCodes.Status201Created)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> ListAsync(Db db, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var rows = await conn.QueryAsync<Organisation>(new CommandDefinition($"SELECT {Columns} FROM organisations ORDER BY name", cancellationToken: ct));
        return TypedResults.Ok(rows.ToList());
    }

    private static async Task<IResult> GetAsync(long id, Db db, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Organisation>(new CommandDefinition(
            $"SELECT {Columns} FROM organisations WHERE id = @id", new { id }, cancellationToken: ct));
        return row is null ? ApiResults.NotFound($"There is no organisation {id}.") : TypedResults.Ok(row);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, Db db, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var (doc, error) = await ApiResults.ReadJsonAsync(request, 64 * 1024, ct);
        if (error is not null) return error;
        using var body = doc;
        var errors = new FieldErrors();
        if (doc!.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            errors.Add("$", "The body must be a JSON object.");
            return ApiResults.Invalid(errors);
        }
        var f = new JsonFields(doc.RootElement, "", errors, "name", "category", "country");
        f.RejectUnknown();
        var name = f.Text("name", required: true, maxLength: 200);
        var category = f.Text("category", required: true, maxLength: 20);
        if (category is not null && !OrganisationCategory.IsKnown(category))
            errors.Add("category", $"Use one of {string.Join(", ", OrganisationCategory.All)}.");
        var country = f.Text("country", required: false, maxLength: 2) ?? "";
        if (country.Length > 0 && !CountryCode().IsMatch(country))
            errors.Add("country", "Use the two-letter country code, e.g. RS.");
        if (errors.Any) return ApiResults.Invalid(errors);

        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long id;
        try
        {
            id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO organisations (name, category, country, created_at, updated_at)
                VALUES (@name, @category, @Country, @now, @now) RETURNING id
                """, new { name, category, Country = country.ToUpperInvariant(), now }, tx, cancellationToken: ct));
        }
        catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            errors.Add("name", "An organisation with this name already exists.");
            return ApiResults.Invalid(errors, "An organisation with this name already exists.", StatusCodes.Status409Conflict);
        }
        await audit.WriteAsync(AuditActions.OrganisationCreated, $"organisation:{id}", $"{name} ({category}) via API", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        var created = new Organisation { Id = id, Name = name!, Category = category!, Country = country.ToUpperInvariant(), CreatedAt = now };
        return TypedResults.Created($"/api/v1/organisations/{id}", created);
    }
}
