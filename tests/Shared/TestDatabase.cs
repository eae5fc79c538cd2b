using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Consultation.Testing;

/// <summary>
/// The database a test app runs on: a SQLite file (default) or, when the environment variable
/// <c>CONSULTATION_TEST_POSTGRES</c> holds a server connection string (e.g. <c>Host=127.0.0.1;Port=5433;Username=postgres</c>),
/// a throw-away PostgreSQL database with a random name, dropped again on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "CONSULTATION_TEST_POSTGRES";

    /// <summary>The PostgreSQL server to test on, or null for SQLite.</summary>
    public static string? PostgresServer { get; } =
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } server ? server : null;

    public static bool IsPostgres => PostgresServer is not null;

    private TestDatabase(string sqlitePath, string? postgresConnectionString, string? postgresName)
    {
        SqlitePath = sqlitePath;
        PostgresConnectionString = postgresConnectionString;
        PostgresName = postgresName;
    }

    /// <summary>The SQLite file (also set on PostgreSQL, where nothing is written there).</summary>
    public string SqlitePath { get; }

    public string? PostgresConnectionString { get; }
    public string? PostgresName { get; }

    /// <summary>A new database: on SQLite the (not yet existing) file <paramref name="sqlitePath"/>, on PostgreSQL a new empty database.</summary>
    public static async Task<TestDatabase> CreateAsync(string sqlitePath)
    {
        if (PostgresServer is null) return new TestDatabase(sqlitePath, null, null);
        var name = "consultation_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(AdminConnectionString()))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
        return new TestDatabase(sqlitePath, connectionString, name);
    }

    private static string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(PostgresServer) { Database = "postgres", Pooling = false }.ConnectionString;

    /// <summary>The configuration that points the app at this database.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings => PostgresConnectionString is null
        ? [new("Database:Provider", "Sqlite"), new("Database:SqlitePath", SqlitePath)]
        : [new("Database:Provider", "Postgres"), new("Database:ConnectionString", PostgresConnectionString)];

    /// <summary>A new, not yet opened connection to the database, for tests that look at rows directly (Dapper opens it).</summary>
    public DbConnection Connection() => PostgresConnectionString is null
        ? new SqliteConnection($"Data Source={SqlitePath};Foreign Keys=true")
        : new NpgsqlConnection(PostgresConnectionString);

    public async ValueTask DisposeAsync()
    {
        if (PostgresName is null) return;
        // Pools of this process would keep sessions open; WITH (FORCE) ends any that remain (a server still stopping).
        await using (var pooled = new NpgsqlConnection(PostgresConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var admin = new NpgsqlConnection(AdminConnectionString());
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {PostgresName} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>A test that only makes sense on SQLite (a PRAGMA, a file backup): on PostgreSQL it shows as skipped, with the reason.</summary>
public sealed class SqliteOnlyFactAttribute : FactAttribute
{
    public SqliteOnlyFactAttribute(string reason)
    {
        if (TestDatabase.IsPostgres) Skip = $"SQLite only: {reason}";
    }
}

/// <summary>A theory that needs SQLite itself (its file, its pragmas); skipped, not passed, on PostgreSQL.</summary>
public sealed class SqliteOnlyTheoryAttribute : TheoryAttribute
{
    public SqliteOnlyTheoryAttribute(string reason)
    {
        if (TestDatabase.IsPostgres) Skip = $"SQLite only: {reason}";
    }
}
