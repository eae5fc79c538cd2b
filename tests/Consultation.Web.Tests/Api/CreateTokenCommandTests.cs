using System.Diagnostics;
using System.Net;
using Dapper;
using static Consultation.Web.Tests.Api.ApiTestKit;

namespace Consultation.Web.Tests.Api;

/// <summary><c>dotnet Consultation.Web.dll create-token …</c> prints a working token once, on its own line.</summary>
public sealed class CreateTokenCommandTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => Consultation.Web.Tests.Operations.PortalCommand.RunAsync(app, args);

    [Fact]
    public async Task Create_token_prints_a_token_on_its_own_line_that_works_with_exactly_its_scopes()
    {
        _ = app.Server; // demo data: admin@demo.local is the first administrator
        var result = await RunAsync("create-token", "--name", "Analysis import", "--scopes", "evidence:read,responses:import", "--days", "5");
        Assert.True(result.Exit == 0, result.Err);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var token = Assert.Single(lines, l => l.StartsWith("cons_", StringComparison.Ordinal));
        Assert.Equal(1, result.Out.Split(token).Length - 1);

        Assert.Equal(HttpStatusCode.OK, (await Client(app, token).GetAsync("/api/v1/rounds")).StatusCode);
        await ProblemAsync(await Client(app, token).PostJsonAsync("/api/v1/rounds", "{}"), HttpStatusCode.Forbidden);

        await using (var conn = app.Connection())
        {
            var stored = Assert.Single(await conn.QueryAsync<StoredToken>("""
                SELECT t.created_at, t.expires_at FROM api_tokens t JOIN users u ON u.id = t.created_by
                 WHERE t.name = 'Analysis import' AND t.scopes = 'evidence:read responses:import' AND u.email = 'admin@demo.local'
                """));
            Assert.Equal(TimeSpan.FromDays(5), stored.ExpiresAt - stored.CreatedAt);
        }
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.created' AND actor_email = 'command-line'"));
    }

    [Fact]
    public async Task Create_token_refuses_unknown_scopes_and_bad_days()
    {
        _ = app.Server;
        var unknown = await RunAsync("create-token", "--name", "x", "--scopes", "evidence:write");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("Unknown scope(s): evidence:write", unknown.Err, StringComparison.Ordinal);
        var days = await RunAsync("create-token", "--name", "x", "--scopes", "admin", "--days", "0");
        Assert.Equal(1, days.Exit);
        Assert.Contains("--days", days.Err, StringComparison.Ordinal);
        var notAdmin = await RunAsync("create-token", "--name", "x", "--scopes", "admin", "--user", "respondent@demo.local");
        Assert.Equal(1, notAdmin.Exit);
        Assert.DoesNotContain("cons_", notAdmin.Out, StringComparison.Ordinal);
    }

    private sealed record StoredToken
    {
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
    }
}
