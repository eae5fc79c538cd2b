using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Consultation.Web.Infrastructure;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Consultation.Web.Api;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>API requests per client address and minute (then 429).</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 300;

    /// <summary>Largest body of a response import, in bytes (then 413).</summary>
    [Range(1024, 100_000_000)]
    public int MaxImportBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most responses in one import (then 422).</summary>
    [Range(1, 1_000_000)]
    public int MaxImportRows { get; set; } = 5000;
}

/// <summary>
/// API v1 for the ministry's analysis tools: <c>/api/v1/…</c>, bearer tokens only (cookies never count),
/// JSON in and out, RFC 7807 problem+json errors, rate limited, described at <c>/api/v1/openapi.json</c>.
/// </summary>
public static class ApiExtensions
{
    public const string RateLimitPolicy = "api";

    // The OpenAPI texts are the API's English documentation, not portal UI text.
    private const string DocumentDescription =
        "For the ministry's analysis tools. Every request needs \"Authorization: Bearer <token>\"; administrators " +
        "create tokens under Admin → API tokens or with `create-token`. Scopes: evidence:read, responses:import, rounds:write, " +
        "admin (all). Errors are RFC 7807 problem+json; invalid fields are 422 with errors keyed by JSON path.";
    private const string SchemeDescription = "An API token created by an administrator (cons_…).";
    public const string Prefix = "/api/v1";
    /// <summary>Everything under /api is the API's, versions to come included: its errors are problem+json, never portal pages.</summary>
    public const string Root = "/api";
    /// <summary>The OpenAPI documents there are (<c>AddOpenApi</c> names); another name in the document's address is a problem+json 404.</summary>
    private const string DocumentNames = "v1";

    /// <summary>Authorization policy of one scope; null = any valid token.</summary>
    public static string Policy(string? scope) => scope is null ? "api" : "api:" + scope;

    public static IServiceCollection AddApi(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ApiOptions>().Bind(config.GetSection(ApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        // A second scheme beside Identity's cookie; it is never the default, only API policies name it.
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy(null), p => p
            .AddAuthenticationSchemes(BearerTokenHandler.SchemeName).RequireAuthenticatedUser());
        foreach (var scope in ApiScopes.All)
            services.AddAuthorizationBuilder().AddPolicy(Policy(scope), p => p
                .AddAuthenticationSchemes(BearerTokenHandler.SchemeName).RequireAuthenticatedUser()
                .RequireAssertion(c => ApiScopes.Grants(c.User.FindAll(BearerTokenHandler.ScopeClaim).Select(x => x.Value), scope)));

        services.Configure<RateLimiterOptions>(o => o.AddPolicy(RateLimitPolicy, context =>
        {
            var limit = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RequestsPerMinute;
            var key = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            return SharedWindowLimiter.Partition(context, RateLimitPolicy, key, limit, TimeSpan.FromMinutes(1));
        }));
        // The portal's 429 page is HTML; API clients get problem+json.
        services.PostConfigure<RateLimiterOptions>(o =>
        {
            var pages = o.OnRejected;
            o.OnRejected = async (ctx, ct) =>
            {
                if (!ctx.HttpContext.Request.Path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase))
                {
                    if (pages is not null) await pages(ctx, ct);
                    return;
                }
                ctx.HttpContext.Response.Headers.RetryAfter = "60";
                await ApiResults.WriteProblemAsync(ctx.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    "Too many API requests from this address. Wait a minute and try again.");
            };
        });

        // The minimal-API JSON options are what the OpenAPI document describes. Say what the API does: enums are written
        // as names (EvidenceReport.JsonOptions: "source": "Both"), and bodies are read field by field taking JSON numbers
        // only ("3" is a 422), so no number may be documented as ["integer", "string"] (the Web defaults' AllowReadingFromString).
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });

        services.AddOpenApi(DocumentNames, o =>
        {
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Consultation API", Version = "v1",
                    Description = DocumentDescription,
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerTokenHandler.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "opaque (cons_…)",
                    Description = SchemeDescription,
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerTokenHandler.SchemeName, document)] = [] }];
                return Task.CompletedTask;
            });
            // A string enum's schema comes as a bare { "enum": [...] }; client generators want its type too.
            o.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type.IsEnum && schema.Type is null) schema.Type = JsonSchemaType.String;
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(async (operation, context, ct) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiRequestBody>().FirstOrDefault() is { } body)
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = body.Required,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body.Type, null, ct) },
                        },
                    };
                var scope = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiresScope>().FirstOrDefault();
                var needs = scope is null ? "Any valid token." : $"Scope: `{scope.Scope}` (or `admin`).";
                operation.Description = string.IsNullOrEmpty(operation.Description) ? needs : operation.Description + "\n\n" + needs;
            });
        });
        return services;
    }

    public static WebApplication MapApi(this WebApplication app)
    {
        // Every API error is problem+json: the portal's HTML status pages stay out, and answers the framework gives
        // without a body (no such endpoint 404, wrong content type 415, wrong method 405) get one here.
        app.UseWhen(c => c.Request.Path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase), branch => branch.Use(async (context, next) =>
        {
            if (context.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            try
            {
                await next(context);
            }
            catch (Exception ex) when (TransientDatabaseFailures.IsTransient(ex) && !context.Response.HasStarted)
            {
                // Locked past the busy timeout or disk full: a passing condition the client may retry, not a 500.
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiExtensions))
                    .LogWarning("{Method} {Path} answered 503: the database is unavailable ({Reason})", context.Request.Method, context.Request.Path,
                        TransientDatabaseFailures.Reason(ex));
                context.Response.Clear();
                context.Response.Headers.RetryAfter = TransientDatabaseFailures.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ApiResults.WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Database unavailable",
                    "The database cannot take the request right now (busy or out of space). Nothing was changed; send the same request again " +
                    "after Retry-After seconds (with the same Idempotency-Key for an import).",
                    new Dictionary<string, object?> { ["code"] = TransientDatabaseFailures.Code, ["retryAfter"] = TransientDatabaseFailures.RetryAfterSeconds });
                return;
            }
            if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentType: null, ContentLength: null or 0 })
                await ApiResults.WriteProblemAsync(context, context.Response.StatusCode, ReasonPhrases.GetReasonPhrase(context.Response.StatusCode),
                    context.Response.StatusCode == StatusCodes.Status404NotFound
                        ? "There is no such API endpoint; see /api/v1/openapi.json."
                        : "The request was not accepted; see /api/v1/openapi.json.");
        }));
        var api = app.MapGroup(Prefix)
            .RequireRateLimiting(RateLimitPolicy)
            .DisableAntiforgery()
            .WithTags("v1");
        OrganisationsApi.Map(api);
        RoundsApi.Map(api);
        ImportApi.Map(api);
        EvidenceApi.Map(api);
        // Only the documents there are: the framework answers another name (/api/v2/openapi.json) with a text/plain 404,
        // which the fallback below makes problem+json like every other API error.
        app.MapOpenApi(Root + "/{documentName:regex(^(" + DocumentNames + ")$)}/openapi.json").AllowAnonymous().RequireRateLimiting(RateLimitPolicy);
        // Anything else under /api is a problem+json 404 (without this, the portal's sign-in redirect would answer),
        // or a 405 with Allow when the address is an endpoint's and only the method is wrong.
        app.MapFallback(Root + "/{**path}", (HttpContext http, EndpointDataSource endpoints, IInlineConstraintResolver constraints) =>
            {
                var allowed = HeadRequests.WithHead(AllowedMethods(http, endpoints, constraints));
                if (allowed.Count == 0) return ApiResults.NotFound("There is no such API endpoint; see /api/v1/openapi.json.");
                http.Response.Headers.Allow = string.Join(", ", allowed);
                return ApiResults.Problem(StatusCodes.Status405MethodNotAllowed, "Method not allowed",
                    $"{HeadRequests.SentMethod(http)} is not allowed here; this address takes {string.Join(", ", allowed)}.");
            })
            .AllowAnonymous().RequireRateLimiting(RateLimitPolicy);
        return app;
    }

    /// <summary>The methods of the API endpoints (under /api) whose route, constraints included, matches this request's path.</summary>
    private static List<string> AllowedMethods(HttpContext http, EndpointDataSource endpoints, IInlineConstraintResolver constraints)
    {
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            if (pattern.RawText is not { } raw || !raw.TrimStart('/').StartsWith(Root.TrimStart('/') + "/", StringComparison.OrdinalIgnoreCase) || raw.Contains("{**", StringComparison.Ordinal))
                continue;
            if (endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 } verbs) continue;
            var values = new RouteValueDictionary();
            if (!new Microsoft.AspNetCore.Routing.Template.TemplateMatcher(Microsoft.AspNetCore.Routing.Template.TemplateParser.Parse(raw), new RouteValueDictionary())
                    .TryMatch(http.Request.Path, values)) continue;
            var fits = pattern.ParameterPolicies.All(p => p.Value.All(policy =>
                policy.Content is null || constraints.ResolveConstraint(policy.Content) is not { } c
                || c.Match(http, null, p.Key, values, RouteDirection.IncomingRequest)));
            if (fits) methods.UnionWith(verbs.HttpMethods);
        }
        return [.. methods];
    }

    /// <summary>
    /// Documents the JSON body for OpenAPI; <paramref name="required"/> false when the endpoint also takes no body at all.
    /// (Not <c>Accepts&lt;T&gt;</c>: that makes routing refuse other content types before the endpoint, and the portal's
    /// sign-in fallback would answer instead of a problem+json 415.)
    /// </summary>
    public static RouteHandlerBuilder JsonBody<T>(this RouteHandlerBuilder builder, bool required = true) =>
        builder.WithMetadata(new ApiRequestBody(typeof(T), required))
            .ProducesValidationProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge) // every body is read with a limit (ApiResults.ReadJsonAsync)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>The endpoint needs a bearer token holding <paramref name="scope"/> (or admin); null = any valid token.</summary>
    public static RouteHandlerBuilder RequireScope(this RouteHandlerBuilder builder, string? scope)
    {
        builder.RequireAuthorization(Policy(scope))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        if (scope is not null) builder.WithMetadata(new RequiresScope(scope)).ProducesProblem(StatusCodes.Status403Forbidden);
        return builder;
    }
}

/// <summary>Endpoint metadata: the type of the JSON body and whether one must be sent, for the OpenAPI document.</summary>
public sealed record ApiRequestBody(Type Type, bool Required);
