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

    [Fact]
    public async Task The_stamp_checks_hand_written_reader_maps_every_user_as_Dapper_does()
    {
        var db = Db;
        await using var conn = _app.Connection();
        // Vary the columns that may be null or flags: a culture, a zone, a required two-factor setting, a flag set.
        await conn.ExecuteAsync("UPDATE users SET culture = 'sr-Latn', time_zone = 'Europe/Skopje', must_change_password = 1 WHERE email = 'respondent2@demo.local'");
        try
        {
            var ids = (await conn.QueryAsync<long>("SELECT id FROM users ORDER BY id")).ToList();
            Assert.True(ids.Count >= 5);
            foreach (var id in ids)
            {
                var args = new DynamicParameters();
                args.Add("id", id);
                args.Add("Key", Consultation.Web.Infrastructure.Security.PortalSettings.RequireTwoFactorForCoordinators);
                var expected = await conn.QuerySingleAsync<Consultation.Web.Infrastructure.Security.StampValidator.UserState>(
                    Consultation.Web.Infrastructure.Security.StampValidator.UserStateSql.Sql, args);
                var read = await db.QueryHotAsync(Consultation.Web.Infrastructure.Security.StampValidator.UserStateSql,
                    [id, Consultation.Web.Infrastructure.Security.PortalSettings.RequireTwoFactorForCoordinators],
                    Consultation.Web.Infrastructure.Security.StampValidator.ReadState);
                Assert.Equal(expected, read);
            }
        }
        finally
        {
            await conn.ExecuteAsync("UPDATE users SET culture = NULL, time_zone = NULL, must_change_password = 0 WHERE email = 'respondent2@demo.local'");
        }
    }

    [Fact]
    public async Task The_autosave_targets_hand_written_reader_maps_as_Dapper_multi_mapping_does()
    {
        var db = Db;
        var (_, q) = await Pages.Respond.RespondSteps.OpenRoundAsync(_app, "Target reader " + Guid.NewGuid().ToString("N")[..6], Pages.Respond.RespondSteps.SmallSchema);
        var client = await Pages.Respond.RespondSteps.SignInAsync(_app, "respondent@demo.local");
        var form = await Pages.Respond.RespondSteps.OpenFormAsync(client, q);
        await using var conn = _app.Connection();
        var me = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = 'respondent@demo.local'");
        var org = await conn.ExecuteScalarAsync<long>("SELECT organisation_id FROM users WHERE id = @me", new { me });

        async Task AssertSameAsync(bool hasResponse)
        {
            var expected = (await conn.QueryAsync<Consultation.Web.Pages.Respond.RespondSql.QuestionnaireRow, Consultation.Web.Pages.Respond.RespondSql.ResponseState?,
                (Consultation.Web.Pages.Respond.RespondSql.QuestionnaireRow, Consultation.Web.Pages.Respond.RespondSql.ResponseState?)>(
                Consultation.Web.Pages.Respond.RespondSql.TargetSql.Sql, (a, b) => (a, b), new { id = q, Me = me, Org = org }, splitOn: "response_id")).Single();
            var read = await db.QueryHotAsync(Consultation.Web.Pages.Respond.RespondSql.TargetSql, [q, me, org], Consultation.Web.Pages.Respond.RespondSql.ReadTarget);
            Assert.NotNull(read);
            Assert.Equal(expected.Item1, read.Value.Questionnaire);
            Assert.Equal(expected.Item2, read.Value.Response);
            Assert.Equal(hasResponse, read.Value.Response is not null);
        }

        await AssertSameAsync(hasResponse: false);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await Pages.Respond.RespondSteps.SubmitAsync(client, q, form.Token, """{ "score": 2 }""", 0, "target-reader-key")).StatusCode);
        await AssertSameAsync(hasResponse: true);
        // Not visible to another organisation: no row at all.
        Assert.Null(await db.QueryHotAsync(Consultation.Web.Pages.Respond.RespondSql.TargetSql, [q, me, org + 1000], Consultation.Web.Pages.Respond.RespondSql.ReadTarget));
    }

    [SqliteOnlyFact("counts SQLite's compiled commands; PostgreSQL prepares on the server")]
    public async Task Autosaves_and_submissions_reuse_the_group_writers_compiled_statements()
    {
        var (_, q) = await Pages.Respond.RespondSteps.OpenRoundAsync(_app, "Compiled writes " + Guid.NewGuid().ToString("N")[..6], Pages.Respond.RespondSteps.SmallSchema);
        var client = await Pages.Respond.RespondSteps.SignInAsync(_app, "respondent@demo.local");
        var form = await Pages.Respond.RespondSteps.OpenFormAsync(client, q);
        long revision = 0;
        async Task SaveAndSubmitAsync(int i)
        {
            var saved = await Pages.Respond.RespondSteps.SaveAsync(client, q, form.Token, $$"""{ "score": {{i % 5 + 1}} }""", 0, revision);
            Assert.Equal(System.Net.HttpStatusCode.OK, saved.StatusCode);
            revision = (await Pages.Respond.RespondSteps.JsonAsync(saved)).GetProperty("revision").GetInt64();
            var submitted = await Pages.Respond.RespondSteps.SubmitAsync(client, q, form.Token, $$"""{ "score": {{i % 5 + 1}} }""", revision, $"compiled-{i}-{Guid.NewGuid():N}");
            Assert.Equal(System.Net.HttpStatusCode.OK, submitted.StatusCode);
            revision = (await Pages.Respond.RespondSteps.JsonAsync(submitted)).GetProperty("revision").GetInt64();
        }
        // The first rounds compile what they use (the first save is an insert, later ones updates).
        for (var i = 0; i < 3; i++) await SaveAndSubmitAsync(i);
        var before = Db.HotStatementsCompiled;
        var uncompiled = Consultation.Web.Infrastructure.Data.Db.HotRunsUncompiled;

        for (var i = 3; i < 23; i++) await SaveAndSubmitAsync(i);

        // One request at a time: the same kept connection serves the reads and the writer, its statements compiled;
        // none of the writes ran on a connection without them (other test classes may, hence at most a few).
        Assert.Equal(before, Db.HotStatementsCompiled);
        Assert.InRange(Consultation.Web.Infrastructure.Data.Db.HotRunsUncompiled - uncompiled, 0, 5);
        Assert.Equal(23, (await Pages.Respond.RespondSteps.RevisionsAsync(_app, (await Pages.Respond.RespondSteps.ResponsesAsync(_app, q)).Single().Id)).Count);
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
