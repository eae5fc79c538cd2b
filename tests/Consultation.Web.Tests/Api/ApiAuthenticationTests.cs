using Dapper;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Consultation.Web.Tests.Api.ApiTestKit;

namespace Consultation.Web.Tests.Api;

/// <summary>Bearer tokens are the only way into /api/v1: 401 without a working token, 403 without the scope.</summary>
public sealed partial class ApiAuthenticationTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Without_a_token_the_api_answers_401_problem_json_with_a_bearer_challenge()
    {
        var response = await Client(app, null).GetAsync("/api/v1/rounds");
        await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_expired_or_revoked_token_is_401_naming_the_reason()
    {
        var expired = await TokenAsync(app, "admin", expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1));
        var revoked = await TokenAsync(app, "admin", revoked: true);
        foreach (var (token, reason) in new[] { ("cons_not-a-real-token", "not valid"), (expired, "expired"), (revoked, "revoked") })
        {
            var response = await Client(app, token).GetAsync("/api/v1/rounds");
            var problem = await ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer cons_not-a-real-token")]
    public async Task The_challenge_error_description_holds_only_the_characters_rfc_6750_allows(string authorization)
    {
        var client = Client(app, null);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/rounds");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await client.SendAsync(request);

        await ProblemAsync(response, HttpStatusCode.Unauthorized);
        var challenge = response.Headers.NonValidated["WWW-Authenticate"].ToString();
        // error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ): no '"' or '\' inside the quoted value.
        Assert.Matches("""^Bearer realm="consultation-api", error="invalid_token", error_description="[\x20\x21\x23-\x5B\x5D-\x7E]+"$""", challenge);
    }

    [Fact]
    public async Task A_token_without_the_scope_is_403_and_admin_implies_every_scope()
    {
        var reader = await TokenAsync(app, "evidence:read");
        Assert.Equal(HttpStatusCode.OK, (await Client(app, reader).GetAsync("/api/v1/rounds")).StatusCode);
        var forbidden = await Client(app, reader).PostJsonAsync("/api/v1/organisations", """{ "name": "Scope Test NGO", "category": "NGO" }""");
        var problem = await ProblemAsync(forbidden, HttpStatusCode.Forbidden);
        Assert.Contains("rounds:write", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("insufficient_scope", forbidden.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync(app, "SELECT COUNT(*) FROM organisations WHERE name = 'Scope Test NGO'"));

        var admin = await TokenAsync(app, "admin");
        Assert.Equal(HttpStatusCode.Created,
            (await Client(app, admin).PostJsonAsync("/api/v1/organisations", """{ "name": "Scope Test NGO", "category": "NGO" }""")).StatusCode);
    }

    [Theory]
    [InlineData("coordinator@demo.local")]
    [InlineData("admin@demo.local")]
    [InlineData("respondent@demo.local")]
    public async Task A_signed_in_browser_cookie_does_not_authenticate_the_api(string email)
    {
        var browser = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(browser, email)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
        await ProblemAsync(await browser.GetAsync("/api/v1/rounds"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await browser.GetAsync("/api/v1/rounds/1/evidence"), HttpStatusCode.Unauthorized);
        await ProblemAsync(await browser.PostJsonAsync("/api/v1/organisations", """{ "name": "Cookie NGO", "category": "NGO" }"""), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_stops_working_when_its_creator_is_no_longer_an_administrator()
    {
        var token = await TokenAsync(app, "admin", creator: "coordinator@demo.local");
        var problem = await ProblemAsync(await Client(app, token).GetAsync("/api/v1/rounds"), HttpStatusCode.Unauthorized);
        Assert.Contains("administrator", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_stops_working_when_its_creator_is_disabled()
    {
        _ = app.Server;
        await using (var conn = app.Connection())
        {
            await conn.ExecuteAsync("""
                INSERT INTO users (email, normalized_email, display_name, security_stamp, concurrency_stamp, email_confirmed, created_at)
                VALUES ('second-admin@demo.local', 'SECOND-ADMIN@DEMO.LOCAL', 'Second admin', 'S', 'C', 1, '2026-01-01T00:00:00.0000000Z');
                INSERT INTO user_roles (user_id, role_id)
                SELECT u.id, r.id FROM users u, roles r WHERE u.email = 'second-admin@demo.local' AND r.name = 'Administrator';
                """);
        }
        var token = await TokenAsync(app, "admin", creator: "second-admin@demo.local");
        Assert.Equal(HttpStatusCode.OK, (await Client(app, token).GetAsync("/api/v1/rounds")).StatusCode);

        await using (var conn = app.Connection())
            await conn.ExecuteAsync("UPDATE users SET disabled_at = '2026-06-01T00:00:00.0000000Z' WHERE email = 'second-admin@demo.local'");

        var problem = await ProblemAsync(await Client(app, token).GetAsync("/api/v1/rounds"), HttpStatusCode.Unauthorized);
        Assert.Contains("disabled", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sign_in_lockout_of_the_creator_does_not_stop_the_token()
    {
        // Anyone who knows an administrator's e-mail can lock password sign-in with wrong passwords; that must not
        // switch off the administrator's tokens (only disabling or losing the role does).
        _ = app.Server;
        await using (var conn = app.Connection())
        {
            await conn.ExecuteAsync("""
                INSERT INTO users (email, normalized_email, display_name, password_hash, security_stamp, concurrency_stamp,
                                   email_confirmed, lockout_enabled, created_at)
                SELECT 'locked-admin@demo.local', 'LOCKED-ADMIN@DEMO.LOCAL', 'Locked admin', password_hash, 'S', 'C', 1, 1, created_at
                  FROM users WHERE email = 'admin@demo.local';
                INSERT INTO user_roles (user_id, role_id)
                SELECT u.id, r.id FROM users u, roles r WHERE u.email = 'locked-admin@demo.local' AND r.name = 'Administrator';
                """);
        }
        var token = await TokenAsync(app, "admin", creator: "locked-admin@demo.local");
        Assert.Equal(HttpStatusCode.OK, (await Client(app, token).GetAsync("/api/v1/rounds")).StatusCode);

        for (var i = 0; i < 5; i++) await Forms.LoginAsync(app.CreateBrowserLikeClient(), "locked-admin@demo.local", "wrong password " + i);
        var locked = await Forms.LoginAsync(app.CreateBrowserLikeClient(), "locked-admin@demo.local");
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode); // the right password, refused: the sign-in is locked
        await using (var conn = app.Connection())
            Assert.NotNull(await conn.ExecuteScalarAsync<string?>("SELECT lockout_end FROM users WHERE email = 'locked-admin@demo.local'"));

        Assert.Equal(HttpStatusCode.OK, (await Client(app, token).GetAsync("/api/v1/rounds")).StatusCode);
    }

    [GeneratedRegex("id=\"new-token\"[^>]*value=\"(cons_[^\"]+)\"")]
    private static partial Regex NewToken();

    [Fact]
    public async Task An_administrator_creates_a_token_in_the_ui_sees_it_once_sees_its_last_use_and_revokes_it()
    {
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        var created = await Forms.PostAsync(admin, "/Admin/Tokens", new Dictionary<string, string>
        {
            ["Input.Name"] = "Analysis unit", ["Input.Scopes"] = "evidence:read", ["Input.Days"] = "30",
        }, "/Admin/Tokens?handler=Create");
        var html = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var token = NewToken().Match(html).Groups[1].Value;
        Assert.StartsWith("cons_", token, StringComparison.Ordinal);
        // Only the hash is stored.
        Assert.Equal(0, await ScalarAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = @token OR token_start = @token", new { token }));
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = @Hash", new { Hash = Consultation.Web.Api.ApiTokens.Hash(token) }));

        Assert.Equal(HttpStatusCode.OK, (await Client(app, token).GetAsync("/api/v1/rounds")).StatusCode);
        var list = await (await admin.GetAsync("/Admin/Tokens")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, list, StringComparison.Ordinal);
        Assert.Contains(token[..12], list, StringComparison.Ordinal);
        var id = await ScalarAsync(app, "SELECT id FROM api_tokens WHERE name = 'Analysis unit'");
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM api_tokens WHERE id = @id AND last_used_at IS NOT NULL", new { id }));

        var revoked = await Forms.PostAsync(admin, "/Admin/Tokens", new Dictionary<string, string>(), $"/Admin/Tokens?handler=Revoke&id={id}");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        await ProblemAsync(await Client(app, token).GetAsync("/api/v1/rounds"), HttpStatusCode.Unauthorized);
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.created' AND target = 'api_token:' || @id", new { id }));
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.revoked' AND target = 'api_token:' || @id", new { id }));

        // Revoked again from a tab opened before: told so, nothing written twice.
        var again = await Forms.PostAsync(admin, "/Admin/Tokens", new Dictionary<string, string>(), $"/Admin/Tokens?handler=Revoke&id={id}");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Contains("That token was already revoked.", await admin.GetStringAsync("/Admin/Tokens"), StringComparison.Ordinal);
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.revoked' AND target = 'api_token:' || @id", new { id }));
    }

    [Fact]
    public async Task Non_administrators_cannot_open_the_token_page()
    {
        var coordinator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(coordinator, "coordinator@demo.local");
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync("/Admin/Tokens")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_endpoints_and_the_bearer_scheme()
    {
        var response = await Client(app, null).GetAsync("/api/v1/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await BodyAsync(response);
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/rounds", paths);
        Assert.Contains("/api/v1/rounds/{id}", paths);
        Assert.Contains("/api/v1/organisations", paths);
        Assert.Contains("/api/v1/rounds/{id}/responses/import", paths);
        Assert.DoesNotContain(paths, p => !p.StartsWith("/api/v1/", StringComparison.Ordinal));
        Assert.True(doc.GetProperty("paths").GetProperty("/api/v1/rounds/{id}/responses/import").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.Contains("responses:import", doc.GetProperty("paths").GetProperty("/api/v1/rounds/{id}/responses/import").GetProperty("post")
            .GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("bearer", doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task The_openapi_document_matches_what_the_api_answers_and_takes()
    {
        var doc = await BodyAsync(await Client(app, null).GetAsync("/api/v1/openapi.json"));
        JsonElement Operation(string path, string method) => doc.GetProperty("paths").GetProperty(path).GetProperty(method);

        // The CSV export's 200 has content, of its media type.
        Assert.True(Operation("/api/v1/rounds/{id}/evidence.csv", "get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").TryGetProperty("text/csv", out _));

        // Enums are written as names ("Both"), so the schema says string.
        var source = doc.GetProperty("components").GetProperty("schemas").GetProperty("EvidenceSource");
        Assert.Equal("string", source.GetProperty("type").GetString());
        Assert.Equal(["Both", "Questionnaires", "Workshops"], source.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));

        // Every endpoint that reads a JSON body refuses one over its limit with 413.
        foreach (var path in new[] { "/api/v1/organisations", "/api/v1/rounds", "/api/v1/rounds/{id}/snapshots", "/api/v1/rounds/{id}/responses/import" })
            Assert.True(Operation(path, "post").GetProperty("responses").TryGetProperty("413", out _), path);

        // Numbers are taken as JSON numbers only ("3" is a 422), so no number in a schema may be a string.
        var minOrganisations = Operation("/api/v1/rounds", "post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json")
            .GetProperty("schema").GetProperty("properties").GetProperty("minOrganisations");
        Assert.DoesNotContain("string", minOrganisations.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(Types(doc), t => t.Contains("string", StringComparer.Ordinal) && t.Any(x => x is "integer" or "number"));
    }

    /// <summary>Every <c>type</c> in the document given as a list (<c>["integer", "string"]</c>).</summary>
    private static IEnumerable<string[]> Types(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name == "type" && p.Value.ValueKind == JsonValueKind.Array) yield return [.. p.Value.EnumerateArray().Select(x => x.GetString()!)];
                foreach (var t in Types(p.Value)) yield return t;
            }
        else if (e.ValueKind == JsonValueKind.Array)
            foreach (var item in e.EnumerateArray())
                foreach (var t in Types(item)) yield return t;
    }

    [Fact]
    public async Task The_openapi_document_says_which_request_bodies_are_required()
    {
        var doc = await BodyAsync(await Client(app, null).GetAsync("/api/v1/openapi.json"));
        JsonElement Body(string path) => doc.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody");
        // POST /rounds/{id}/snapshots freezes the unfiltered evidence when no body comes (EvidenceApiTests).
        var snapshot = Body("/api/v1/rounds/{id}/snapshots");
        Assert.False(snapshot.TryGetProperty("required", out var required) && required.GetBoolean(), snapshot.ToString());
        Assert.True(snapshot.GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(Body("/api/v1/rounds").GetProperty("required").GetBoolean());
        Assert.True(Body("/api/v1/rounds/{id}/responses/import").GetProperty("required").GetBoolean());
    }

    [Fact]
    public async Task An_unknown_openapi_document_or_api_version_is_a_problem_json_404()
    {
        var anonymous = Client(app, null);
        var unknownDocument = await ProblemAsync(await anonymous.GetAsync("/api/v2/openapi.json"), HttpStatusCode.NotFound);
        Assert.Contains("/api/v1/openapi.json", unknownDocument.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(await anonymous.GetAsync("/api/openapi/openapi.json"), HttpStatusCode.NotFound);
        // The document's name comes from the address only, not from the query string.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/openapi.json?documentName=v2")).StatusCode);
        // Another version's address is the API's too: problem+json, not the portal's sign-in redirect.
        await ProblemAsync(await anonymous.GetAsync("/api/v2/rounds"), HttpStatusCode.NotFound);
        await ProblemAsync(await Client(app, await TokenAsync(app, "admin")).GetAsync("/api/v2/rounds"), HttpStatusCode.NotFound);
        var post = await anonymous.PostAsync("/api/v1/openapi.json", new StringContent("{}"));
        await ProblemAsync(post, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("GET,HEAD", string.Join(",", post.Content.Headers.Allow));
    }

    [Fact]
    public async Task An_unknown_api_path_is_a_problem_json_404()
    {
        var token = await TokenAsync(app, "admin");
        await ProblemAsync(await Client(app, token).GetAsync("/api/v1/nothing-here"), HttpStatusCode.NotFound);
        await ProblemAsync(await Client(app, token).GetAsync("/api/v1/rounds/999999"), HttpStatusCode.NotFound);
        // Not a number where the route wants one: no such address.
        await ProblemAsync(await Client(app, token).DeleteAsync("/api/v1/rounds/abc/responses/import"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_wrong_method_on_an_endpoints_address_is_a_405_naming_the_right_ones()
    {
        var token = await TokenAsync(app, "admin");
        var response = await Client(app, token).GetAsync("/api/v1/rounds/1/responses/import");
        var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("POST", string.Join(",", response.Content.Headers.Allow));
        Assert.Contains("GET is not allowed here", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var put = await Client(app, token).PutAsync("/api/v1/rounds", new StringContent("{}"));
        await ProblemAsync(put, HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", put.Content.Headers.Allow);
        Assert.Contains("POST", put.Content.Headers.Allow);
    }
}

/// <summary>The API's own rate limit, answered as problem+json.</summary>
public sealed class ApiRateLimitTests(ApiRateLimitTests.Factory app) : IClassFixture<ApiRateLimitTests.Factory>
{
    public sealed class Factory : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Api:RequestsPerMinute", "3")];
    }

    [Fact]
    public async Task Requests_beyond_the_limit_get_429_problem_json()
    {
        var token = await TokenAsync(app, "evidence:read");
        var client = Client(app, token);
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/rounds")).StatusCode);
        var limited = await client.GetAsync("/api/v1/rounds");
        await ProblemAsync(limited, (HttpStatusCode)429);
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}
