using System.Data.Common;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.WebUtilities;

namespace Consultation.Web.Api;

/// <summary>Audit actions of the API, stable strings stored in <c>audit_log.action</c>.</summary>
public static class ApiAuditActions
{
    public const string TokenCreated = "api_token.created";
    public const string TokenRevoked = "api_token.revoked";
    public const string ResponsesImported = "responses.imported";
}

/// <summary>
/// API bearer tokens: <c>cons_</c> followed by 32 random bytes (base64url). Only the SHA-256 of the token is
/// stored; the token is shown once, when it is created (admin page or <c>create-token</c> command).
/// </summary>
public static class ApiTokens
{
    /// <summary>Recognisable prefix, so a leaked token is easy to spot in logs and secret scanners.</summary>
    public const string Prefix = "cons_";
    /// <summary>How many leading characters are kept to tell tokens apart in the list.</summary>
    public const int StartLength = 12;
    public const int MaxDays = 3650;
    public const int DefaultDays = 90;
    public const int MaxNameLength = 100;

    public static string NewToken() => Prefix + WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Tokens.Hash(token);

    public sealed record Created
    {
        public long Id { get; init; }
        public string Token { get; init; } = "";
        public DateTimeOffset ExpiresAt { get; init; }
    }

    /// <summary>Stores a new token for <paramref name="userId"/> (the creator, whom the API acts as) and audits it.</summary>
    public static async Task<Created> CreateAsync(DbConnection conn, DbTransaction tx, AuditLog audit, string name, IReadOnlyList<string> scopes,
        long userId, string? actorEmail, DateTimeOffset now, int days, CancellationToken ct)
    {
        var token = NewToken();
        var expiresAt = now.AddDays(days);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO api_tokens (name, token_hash, token_start, scopes, created_by, created_at, expires_at)
            VALUES (@name, @Hash, @Start, @Scopes, @userId, @now, @expiresAt) RETURNING id
            """, new { name, Hash = Hash(token), Start = token[..StartLength], Scopes = string.Join(' ', scopes), userId, now, expiresAt },
            tx, cancellationToken: ct));
        await audit.WriteAsync(ApiAuditActions.TokenCreated, $"api_token:{id}",
            $"{name}: {string.Join(' ', scopes)}, expires {expiresAt:yyyy-MM-dd}", conn, tx, actorId: userId, actorEmail: actorEmail, ct: ct);
        return new Created { Id = id, Token = token, ExpiresAt = expiresAt };
    }
}
