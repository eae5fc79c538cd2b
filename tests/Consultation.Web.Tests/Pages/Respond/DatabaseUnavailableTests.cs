using System.Net;
using System.Text.Json;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>A server whose writers give up on a lock quickly, so a held lock shows within a second or two.</summary>
public sealed class ImpatientPortal : PortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Database:BusyTimeoutMs", "200")];
}

/// <summary>
/// Autosave and submit when the database cannot take the write (issue 6, "Durability"): locked by another
/// writer, or full. The answer is 503 problem+json with Retry-After — never a 500 or a stack trace — and the
/// same request goes through once the database is back.
/// </summary>
public sealed class DatabaseUnavailableTests(ImpatientPortal app) : IClassFixture<ImpatientPortal>
{
    private const string Astra = "respondent@demo.local";

    /// <summary>Another process's write transaction on the file: every other writer gets SQLITE_BUSY.</summary>
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var conn = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await conn.OpenAsync();
        await conn.ExecuteAsync("BEGIN IMMEDIATE");
        return conn;
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(TransientDatabaseFailures.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(TransientDatabaseFailures.Code, problem.GetProperty("code").GetString());
        Assert.Equal("The database is busy. Your answers are kept on this device and sent again shortly.", problem.GetProperty("title").GetString());
        Assert.DoesNotContain("SqliteException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    [SqliteOnlyFact("locks and fills the SQLite file under the server")]
    public async Task Save_and_submit_on_a_locked_database_get_503_with_retry_after_and_go_through_once_it_is_released()
    {
        var (_, q) = await OpenRoundAsync(app, "Locked round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        var coordinator = await CoordinatorAsync(app);

        await using (var holder = await HoldWriteLockAsync())
        {
            await AssertUnavailableAsync(await SaveAsync(client, q, form.Token, """{ "score": 4 }""", page: 0, revision: 0));
            await AssertUnavailableAsync(await SubmitAsync(client, q, form.Token, """{ "score": 4, "note": "kept" }""", 0, "locked-submit-1"));

            // A plain form post that writes gets the readable error page, with the same status.
            var page = await Forms.PostAsync(coordinator, "/Organisations/Create", new Dictionary<string, string>
            {
                ["Input.Name"] = "Locked Out Foundation", ["Input.Category"] = "NGO",
            });
            var html = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.Contains("Busy, not saved", html, StringComparison.Ordinal);
            Assert.DoesNotContain("SqliteException", html, StringComparison.Ordinal);

            Assert.Empty(await ResponsesAsync(app, q));
            await holder.ExecuteAsync("ROLLBACK");
        }

        var saved = await SaveAsync(client, q, form.Token, """{ "score": 4 }""", page: 0, revision: 0);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var submitted = await SubmitAsync(client, q, form.Token, """{ "score": 4, "note": "kept" }""", 1, "locked-submit-1");
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal("Submitted", row.Status);
        Assert.True(SameJson("""{ "score": 4, "note": "kept" }""", row.DataJson), row.DataJson);
        var revision = Assert.Single(await RevisionsAsync(app, row.Id));
        Assert.Equal(1, revision.RevisionNo);
    }

    /// <summary>
    /// A real SQLITE_FULL inside the server: its pooled connections are limited to the file's current size
    /// (<c>PRAGMA max_page_count</c> holds per connection), so a save that needs a new page fails as on a full disk.
    /// </summary>
    [SqliteOnlyFact("locks and fills the SQLite file under the server")]
    public async Task Save_and_submit_on_a_full_database_get_503_and_go_through_once_there_is_room()
    {
        var (_, q) = await OpenRoundAsync(app, "Full disk round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        // Bigger than any free space in the file's pages: storing it needs new pages.
        var note = new string('x', 200_000);
        var data = JsonSerializer.Serialize(new { score = 3, note });

        await using (await DiskFull.FillAsync(app.Services.GetRequiredService<Db>()))
        {
            await AssertUnavailableAsync(await SaveAsync(client, q, form.Token, data, page: 1, revision: 0));
            await AssertUnavailableAsync(await SubmitAsync(client, q, form.Token, data, 0, "full-submit-1"));
            Assert.Empty(await ResponsesAsync(app, q));
        }

        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, data, page: 1, revision: 0)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(client, q, form.Token, data, 1, "full-submit-1")).StatusCode);
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal(note, JsonDocument.Parse(row.DataJson).RootElement.GetProperty("note").GetString());
    }
}

/// <summary>
/// "The disk is full" for an in-process server: its idle connections — pooled ones, and the kept ones the group
/// writer and the hot reads use (Db.RentAsync) — are replaced by ones whose <c>max_page_count</c> is the file's current
/// size. Disposing drops them all, so new connections have room again.
/// </summary>
public sealed class DiskFull(Db db) : IAsyncDisposable
{
    public static async Task<DiskFull> FillAsync(Db db, int connections = 8)
    {
        SqliteConnection.ClearAllPools();
        db.ClearHotConnections();
        var pooled = new List<System.Data.Common.DbConnection>();
        var kept = new List<Db.HotLease>();
        for (var i = 0; i < connections; i++)
        {
            var conn = await db.OpenAsync();
            await LimitAsync(conn);
            pooled.Add(conn);
            var lease = await db.RentAsync();
            await LimitAsync(lease.Connection);
            kept.Add(lease);
        }
        foreach (var conn in pooled) await conn.DisposeAsync(); // back to the pool, limited
        foreach (var lease in kept) await lease.DisposeAsync(); // kept, limited
        return new DiskFull(db);
    }

    private static async Task LimitAsync(System.Data.Common.DbConnection conn)
    {
        var pages = await conn.ExecuteScalarAsync<long>("PRAGMA page_count");
        await conn.ExecuteAsync($"PRAGMA max_page_count = {pages}");
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        db.ClearHotConnections();
        return ValueTask.CompletedTask;
    }
}
