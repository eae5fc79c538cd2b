using System.Net;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Tests.Pages.Respond;
using Dapper;
using Microsoft.Data.Sqlite;
using static Consultation.Web.Tests.Api.ApiTestKit;

namespace Consultation.Web.Tests.Api;

/// <summary>
/// API v1 when the database cannot take a write (issue 6, "Durability"): problem+json 503 with Retry-After and a
/// stable code, never a 500; reads keep working (also a token's first use, whose "last used" cannot be written); the same request goes through once the database is back.
/// </summary>
public sealed class ApiDatabaseUnavailableTests(ImpatientPortal app) : IClassFixture<ImpatientPortal>
{
    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(TransientDatabaseFailures.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal(TransientDatabaseFailures.Code, problem.GetProperty("code").GetString());
        Assert.Equal(TransientDatabaseFailures.RetryAfterSeconds, problem.GetProperty("retryAfter").GetInt32());
        var text = problem.ToString();
        Assert.DoesNotContain("SqliteException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [SqliteOnlyFact("locks the SQLite file under the server")]
    public async Task Writes_on_a_locked_database_get_503_problem_json_with_retry_after_and_go_through_once_it_is_released()
    {
        var client = Client(app, await TokenAsync(app, "admin"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/organisations")).StatusCode);
        // Never used: its first request records "last used", which the lock refuses; the request must still be served.
        var fresh = Client(app, await TokenAsync(app, "evidence:read"));

        await using (var holder = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False"))
        {
            await holder.OpenAsync();
            await holder.ExecuteAsync("BEGIN IMMEDIATE");
            await AssertUnavailableAsync(await client.PostJsonAsync("/api/v1/organisations", """{ "name": "Locked Out Network", "category": "NGO" }"""));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/rounds")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/rounds")).StatusCode);
            Assert.Equal(0L, await holder.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organisations WHERE name = 'Locked Out Network'"));
            await holder.ExecuteAsync("ROLLBACK");
        }

        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/v1/organisations", """{ "name": "Locked Out Network", "category": "NGO" }""")).StatusCode);
        Assert.Equal(1L, await ScalarAsync(app, "SELECT COUNT(*) FROM organisations WHERE name = 'Locked Out Network'"));
    }
}
