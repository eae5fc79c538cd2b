using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>
/// Power-loss durability (issue 6): SQLite's <c>synchronous</c> is FULL unless <c>Database:Synchronous</c> says
/// Normal, on every connection the app opens — also connections the pool hands out again and several open at once.
/// </summary>
public sealed class SqliteSynchronousTests
{
    private const long Normal = 1, Full = 2; // PRAGMA synchronous answers 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA

    private sealed class Configured(string? synchronous) : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            synchronous is null ? [] : [new("Database:Synchronous", synchronous)];
    }

    private static async Task<long[]> SynchronousOfConnectionsAsync(Db db)
    {
        var values = new List<long>();
        // Five at once (five handles), then again from the pool.
        for (var round = 0; round < 2; round++)
        {
            var open = new List<System.Data.Common.DbConnection>();
            for (var i = 0; i < 5; i++) open.Add(await db.OpenAsync());
            foreach (var conn in open)
            {
                values.Add(await conn.ExecuteScalarAsync<long>("PRAGMA synchronous"));
                Assert.Equal("wal", await conn.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
                await conn.DisposeAsync();
            }
        }
        return [.. values];
    }

    [SqliteOnlyTheory("reads SQLite's synchronous pragma")]
    [InlineData(null, Full)]
    [InlineData("Full", Full)]
    [InlineData("Normal", Normal)]
    public async Task Every_connection_of_the_app_has_the_configured_synchronous(string? setting, long expected)
    {
        await using var app = new Configured(setting);
        await app.InitializeAsync();
        var db = app.Services.GetRequiredService<Db>();

        Assert.All(await SynchronousOfConnectionsAsync(db), v => Assert.Equal(expected, v));
        // The page handlers' connections too: a write goes through and the health check reads.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.CreateClient().GetAsync("/healthz")).StatusCode);
    }

    [SqliteOnlyFact("reads SQLite's synchronous pragma")]
    public async Task Two_databases_on_one_file_with_different_settings_each_get_their_own_on_pooled_handles()
    {
        var folder = Path.Combine(Path.GetTempPath(), "consultation-sync-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            Db Make(SqliteSynchronous s) => new(Options.Create(new DatabaseOptions { SqlitePath = Path.Combine(folder, "x.db"), Synchronous = s }),
                new FakeEnvironment(folder));
            await using var full = Make(SqliteSynchronous.Full);
            await using var normal = Make(SqliteSynchronous.Normal);

            Assert.All(await SynchronousOfConnectionsAsync(full), v => Assert.Equal(Full, v));
            // Same connection string, same pool, same handles: the settings must still follow the Db that opened them.
            Assert.All(await SynchronousOfConnectionsAsync(normal), v => Assert.Equal(Normal, v));
            Assert.All(await SynchronousOfConnectionsAsync(full), v => Assert.Equal(Full, v));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void An_unknown_synchronous_setting_is_refused()
    {
        var results = new DatabaseOptions { Synchronous = (SqliteSynchronous)7 }.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object()));
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith("Database:Synchronous must be Full or Normal", StringComparison.Ordinal));
    }

    private sealed class FakeEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "Consultation.Web";
        public string ContentRootPath { get; set; } = root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
