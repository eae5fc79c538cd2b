using Consultation.Web.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>The database settings are checked when the app starts, with a message an operator can act on.</summary>
public sealed class DatabaseOptionsTests
{
    private sealed class Misconfigured(string provider, string connectionString) : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            [new("Database:Provider", provider), new("Database:ConnectionString", connectionString)];
    }

    [Theory]
    [InlineData("Postgres", "", "Database:ConnectionString is required when Database:Provider is Postgres.")]
    [InlineData("Postgres", "Host=127.0.0.1;Username=consultation", "Database:ConnectionString names no Database.")]
    [InlineData("Postgres", "Database=consultation", "Database:ConnectionString names no Host.")]
    [InlineData("Postgres", "Hots=127.0.0.1;Database=consultation", "Database:ConnectionString is not a valid PostgreSQL connection string")]
    [InlineData("Oracle", "", "Database:Provider")]
    public async Task Start_is_refused_with_a_clear_message(string provider, string connectionString, string message)
    {
        var app = new Misconfigured(provider, connectionString);
        await app.InitializeAsync();
        try
        {
            var ex = Assert.ThrowsAny<Exception>(() => app.Server);
            var all = string.Join(" | ", Flatten(ex).Select(e => e.Message));
            Assert.Contains(message, all, StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>
    /// The PostgreSQL pool prepares repeated statements and does not reset a connection it takes back (Db): the
    /// portal's defaults, each left to the connection string when it says otherwise.
    /// </summary>
    [Theory]
    [InlineData("Host=127.0.0.1;Database=consultation", 64, true)]
    [InlineData("Host=127.0.0.1;Database=consultation;Max Auto Prepare=0;No Reset On Close=false", 0, false)]
    public void The_PostgreSQL_pool_prepares_statements_and_keeps_sessions_unless_told_otherwise(string configured, int autoPrepare, bool noReset)
    {
        using var db = new Db(Options.Create(new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = configured }),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        var used = new Npgsql.NpgsqlConnectionStringBuilder(db.PostgresConnectionString);
        Assert.Equal((autoPrepare, noReset), (used.MaxAutoPrepare, used.NoResetOnClose));
    }

    [Fact]
    public void Sqlite_needs_no_connection_string()
    {
        var results = new DatabaseOptions().Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object()));
        Assert.Empty(results);
    }

    private static IEnumerable<Exception> Flatten(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException agg) foreach (var inner in agg.InnerExceptions.SelectMany(Flatten)) yield return inner;
        }
    }
}
