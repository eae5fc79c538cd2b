using System.Net;
using Npgsql;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>A server whose PostgreSQL pool holds far fewer connections than there are simultaneous saves (SQLite's pool has no bound).</summary>
public sealed class SmallPoolPortal : PortalFactory
{
    public const int PoolSize = 3;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => Database.PostgresConnectionString is { } cs
        ? [new("Database:ConnectionString", new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = PoolSize, Timeout = 5 }.ConnectionString)]
        : [];
}

/// <summary>
/// Simultaneous autosaves when the connection pool is smaller than the number of requests (issue 6, "Load
/// benchmarks"): a request must not hold a pooled connection while it waits for the group writer, which needs one
/// from the same pool — otherwise every write times out into 503. Each save is answered 200 or 409 (stale revision),
/// and what was acknowledged is what is stored.
/// </summary>
public sealed class SmallPoolTests(SmallPoolPortal app) : IClassFixture<SmallPoolPortal>
{
    [Fact]
    public async Task Simultaneous_saves_beyond_the_pool_size_are_each_saved_or_refused_as_stale_never_left_waiting()
    {
        var (_, q) = await OpenRoundAsync(app, "Small pool round", SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);
        var first = await SaveAsync(client, q, form.Token, """{ "score": 1 }""", page: 0, revision: 0);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var saves = await Task.WhenAll(Enumerable.Range(0, SmallPoolPortal.PoolSize * 4).Select(i =>
            SaveAsync(client, q, form.Token, $$"""{ "score": 2, "note": "device {{i}}" }""", page: 0, revision: 1)));

        var statuses = saves.Select(r => r.StatusCode).ToList();
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{(int)s}"));
        Assert.Single(statuses, s => s == HttpStatusCode.OK);
        var winner = saves.Single(r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(2, (await JsonAsync(winner)).GetProperty("revision").GetInt64());
        var stored = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal(2, stored.Revision);
    }
}
