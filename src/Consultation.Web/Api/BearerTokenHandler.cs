using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Api;

/// <summary>
/// The <c>Bearer</c> scheme of <c>/api/v1</c>: looks the SHA-256 of the presented token up in
/// <c>api_tokens</c>. Only API endpoints name this scheme, and naming it replaces the cookie principal, so a
/// signed-in browser never authenticates the API. A token works while it is neither expired nor revoked and its
/// creator is still an administrator and not disabled. A sign-in lockout does not stop tokens: anyone who knows the
/// creator's e-mail can cause one with wrong passwords, and it protects password sign-in only. Missing or bad token → 401, missing scope → 403,
/// both as problem+json with a <c>WWW-Authenticate</c> header (RFC 6750).
/// </summary>
public sealed class BearerTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    Db db, TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string ScopeClaim = "scope";
    public const string TokenIdClaim = "consultation:api_token";
    public const string TokenNameClaim = "consultation:api_token_name";
    private const string Realm = "consultation-api";

    /// <summary>Last use is written at most this often per token, so reads do not turn into writes.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private string? _failure;
    private string? _challenge;

    private sealed record TokenRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Scopes { get; init; } = "";
        public DateTimeOffset ExpiresAt { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
        public DateTimeOffset? LastUsedAt { get; init; }
        public long UserId { get; init; }
        public string Email { get; init; } = "";
        public string? DisabledAt { get; init; }
        public bool IsAdministrator { get; init; }
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
            return Fail("The Authorization header must be \"Bearer <token>\".", "The Authorization header must use the Bearer scheme.");
        var token = header[(SchemeName.Length + 1)..].Trim();
        if (token.Length is 0 or > 200) return Fail("The token is not valid.");

        var ct = Context.RequestAborted;
        await using var conn = await db.OpenAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition("""
            SELECT t.id, t.name, t.scopes, t.expires_at, t.revoked_at, t.last_used_at,
                   u.id AS user_id, u.email, u.disabled_at,
                   EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                            WHERE ur.user_id = u.id AND r.name = @Admin) AS is_administrator
              FROM api_tokens t JOIN users u ON u.id = t.created_by
             WHERE t.token_hash = @Hash
            """, new { Hash = ApiTokens.Hash(token), Admin = Roles.Administrator }, cancellationToken: ct));
        var now = clock.GetUtcNow();
        if (row is null) return Fail("The token is not valid.");
        if (row.RevokedAt is not null) return Fail("The token has been revoked.");
        if (row.ExpiresAt <= now) return Fail("The token has expired.");
        if (row.DisabledAt is not null) return Fail("The token's creator has been disabled.");
        if (!row.IsAdministrator) return Fail("The token's creator is no longer an administrator.");

        if (row.LastUsedAt is null || row.LastUsedAt < now - LastUsedResolution)
        {
            try
            {
                await conn.ExecuteAsync(new CommandDefinition("UPDATE api_tokens SET last_used_at = @now WHERE id = @Id",
                    new { now, row.Id }, cancellationToken: ct));
            }
            catch (Exception ex) when (TransientDatabaseFailures.IsTransient(ex))
            {
                // "Last used" is a statistic: a locked or full database must not turn a valid token away. The
                // endpoint's own write, if any, answers 503 (ApiExtensions.MapApi).
                Logger.LogInformation("Token {Id}: last use not recorded, the database is unavailable ({Reason})", row.Id,
                    TransientDatabaseFailures.Reason(ex));
            }
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, row.UserId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, row.Email),
            new(TokenIdClaim, row.Id.ToString(CultureInfo.InvariantCulture)),
            new(TokenNameClaim, row.Name),
        };
        claims.AddRange(row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <param name="reason">For the problem+json detail.</param>
    /// <param name="challenge">For the header's error_description, where RFC 6750 §3 allows no '"' or '\' (default: the reason).</param>
    private AuthenticateResult Fail(string reason, string? challenge = null)
    {
        _failure = reason;
        _challenge = challenge ?? reason;
        return AuthenticateResult.Fail(reason);
    }

    /// <summary>RFC 6750 §3: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ); anything else is dropped.</summary>
    internal static string ErrorDescription(string text) =>
        string.Concat(text.Where(c => c is >= ' ' and <= '~' and not '"' and not '\\'));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = _failure is null
            ? $"Bearer realm=\"{Realm}\""
            : $"Bearer realm=\"{Realm}\", error=\"invalid_token\", error_description=\"{ErrorDescription(_challenge ?? "")}\"";
        await ApiResults.WriteProblemAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            _failure ?? "This API needs a bearer token: send \"Authorization: Bearer <token>\". Administrators create tokens under Admin → API tokens.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<RequiresScope>()?.Scope;
        Response.Headers.WWWAuthenticate = needed is null
            ? $"Bearer realm=\"{Realm}\", error=\"insufficient_scope\""
            : $"Bearer realm=\"{Realm}\", error=\"insufficient_scope\", scope=\"{needed}\"";
        await ApiResults.WriteProblemAsync(Context, StatusCodes.Status403Forbidden, "Forbidden",
            needed is null ? "This token may not do this." : $"This token lacks the scope \"{needed}\" (or \"{ApiScopes.Admin}\").");
    }
}

/// <summary>Endpoint metadata: the scope an endpoint needs, named in the 403 answer.</summary>
public sealed record RequiresScope(string Scope);
