using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>
/// Hot statements (issue 6, load benchmarks): the stamp check and the autosave target are compiled once per kept
/// connection on SQLite instead of once per request, read exactly what Dapper reads, and a failure does not leave a
/// broken connection behind.
/// </summary>
public sealed class HotSqlTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private readonly PortalFactory _app = app;
    private Db Db => _app.Services.GetRequiredService<Db>();

    private static readonly HotSql Users = new("""
        SELECT id, email, display_name, must_change_password FROM users WHERE id >= @from ORDER BY id
        """, "@from");

    private sealed record UserRow
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public bool MustChangePassword { get; init; }
    }

    private static List<UserRow> ReadAll(System.Data.Common.DbDataReader r)
    {
        var rows = new List<UserRow>();
        var parse = r.GetRowParser<UserRow>();
        while (r.Read()) rows.Add(parse(r));
        return rows;
    }

    [Fact]
    public async Task A_hot_statement_reads_what_Dapper_reads()
    {
        var db = Db; // starts the portal: its migrations make the tables
        await using var conn = _app.Connection();
        var expected = (await conn.QueryAsync<UserRow>("SELECT id, email, display_name, must_change_password FROM users WHERE id >= @from ORDER BY id", new { from = 1 })).ToList();
        Assert.NotEmpty(expected);

        var hot = await db.QueryHotAsync(Users, [1L], ReadAll);

        Assert.Equal(expected, hot);
    }

    [SqliteOnlyFact("counts SQLite's compiled commands; PostgreSQL prepares on the server")]
    public async Task Repeated_calls_compile_the_statement_once_and_calls_at_once_once_per_connection()
    {
        var before = Db.HotStatementsCompiled;
        for (var i = 0; i < 50; i++) Assert.NotEmpty(await Db.QueryHotAsync(Users, [1L], ReadAll));
        Assert.Equal(before + 1, Db.HotStatementsCompiled);

        // Eight callers at once hold up to eight connections; afterwards they are all kept, each with its command.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++) Assert.NotEmpty(await Db.QueryHotAsync(Users, [1L], ReadAll));
        })));
        var compiled = Db.HotStatementsCompiled;
        Assert.InRange(compiled, before + 1, before + 8);
        for (var i = 0; i < 20; i++) await Db.QueryHotAsync(Users, [1L], ReadAll);
        Assert.Equal(compiled, Db.HotStatementsCompiled);

        // Cleared (a test changing the file under the portal): the next call opens and compiles anew.
        Db.ClearHotConnections();
        Assert.NotEmpty(await Db.QueryHotAsync(Users, [1L], ReadAll));
        Assert.Equal(compiled + 1, Db.HotStatementsCompiled);
    }

    [SqliteOnlyFact("json_extract's error is SQLite's")]
    public async Task A_statement_that_fails_closes_its_connection_and_the_next_call_works()
    {
        var failing = new HotSql("SELECT json_extract(@json, '$.a')", "@json");
        Assert.Equal("1", await Db.QueryHotAsync(failing, ["{\"a\":\"1\"}"], r => r.Read() ? r.GetString(0) : null));
        var compiled = Db.HotStatementsCompiled;

        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => Db.QueryHotAsync(failing, ["not json"], r => r.Read() ? r.GetString(0) : null));

        // The connection that failed was not kept: the next call compiles on a fresh one, and reads.
        Assert.Equal("2", await Db.QueryHotAsync(failing, ["{\"a\":\"2\"}"], r => r.Read() ? r.GetString(0) : null));
        Assert.Equal(compiled + 1, Db.HotStatementsCompiled);
    }

    [Fact]
    public async Task Values_are_stored_as_Dapper_stores_them_and_a_wrong_count_is_refused()
    {
        var echo = new HotSql("SELECT CAST(@at AS TEXT) AS at, CAST(@flag AS BIGINT) AS flag, CAST(@none AS TEXT) AS none", "@at", "@flag", "@none");
        var at = new DateTimeOffset(2026, 12, 4, 22, 30, 0, TimeSpan.FromHours(1));

        var (text, flag, none) = await Db.QueryHotAsync(echo, [at, true, null],
            r => r.Read() ? (Convert.ToString(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture), r.IsDBNull(2)) : default);

        Assert.Equal("2026-12-04T21:30:00.0000000Z", text);
        Assert.Equal(1, flag);
        Assert.True(none);
        await Assert.ThrowsAsync<ArgumentException>(() => Db.QueryHotAsync(echo, [at], r => r.Read()));
    }
}
