using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Consultation.Web.Api;
using Dapper;

namespace Consultation.Web.Tests.Api;

/// <summary>Tokens straight into the test database, and JSON helpers for API calls.</summary>
public static class ApiTestKit
{
    /// <summary>Stores a token created by admin@demo.local and returns it (the app must have started: demo data).</summary>
    public static async Task<string> TokenAsync(PortalFactory app, string scopes, DateTimeOffset? expiresAt = null, bool revoked = false, string creator = "admin@demo.local")
    {
        _ = app.Services; // starts the app (on TestServer or Kestrel): migrations and demo data
        var token = ApiTokens.NewToken();
        var now = DateTimeOffset.UtcNow;
        await using var conn = app.Connection();
        await conn.ExecuteAsync("""
            INSERT INTO api_tokens (name, token_hash, token_start, scopes, created_by, created_at, expires_at, revoked_at)
            VALUES ('test ' || @scopes, @Hash, @Start, @scopes, (SELECT id FROM users WHERE email = @creator), @Created, @Expires, @Revoked)
            """, new
        {
            scopes, Hash = ApiTokens.Hash(token), Start = token[..ApiTokens.StartLength], creator,
            Created = Format(now.AddDays(-30)), Expires = Format(expiresAt ?? now.AddDays(30)), Revoked = revoked ? Format(now) : null,
        });
        return token;
    }

    public static string Format(DateTimeOffset t) => Consultation.Web.Infrastructure.Data.DapperSetup.Format(t);

    public static HttpClient Client(PortalFactory app, string? token)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = false, BaseAddress = app.ClientOptions.BaseAddress, // Kestrel's address when on Kestrel
        });
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, string json) => client.PostAsync(url, Json(json));

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 answer with <paramref name="status"/> and returns its body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal((int)status, doc.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("title").GetString()));
        return doc.RootElement.Clone();
    }

    /// <summary>The field names of a validation problem's <c>errors</c>.</summary>
    public static IReadOnlyList<string> ErrorFields(JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

    public static async Task<long> ScalarAsync(PortalFactory app, string sql, object? args = null)
    {
        await using var conn = app.Connection();
        return await conn.ExecuteScalarAsync<long>(sql, args);
    }
}
