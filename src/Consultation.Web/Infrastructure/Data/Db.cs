using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>
/// The one connection factory. Feature code asks it for an open connection and branches on
/// <see cref="Dialect"/> only where SQL really differs. For SQLite, WAL, foreign keys and the busy timeout are
/// set here; for PostgreSQL, connections come from one pooled <see cref="NpgsqlDataSource"/>.
/// </summary>
public sealed class Db : IAsyncDisposable, IDisposable
{
    private readonly string _connectionString = "";
    private readonly int _busyTimeoutMs;
    private readonly NpgsqlDataSource? _postgres;
    /// <summary>SQLite handles that have had their pragmas; an entry goes when the pool closes its handle.</summary>
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();
    private static readonly object Done = new();

    public Db(IOptions<DatabaseOptions> options, IHostEnvironment env)
    {
        var o = options.Value;
        Dialect = o.Provider;
        if (Dialect == DatabaseProvider.Postgres)
        {
            _postgres = NpgsqlDataSource.Create(o.ConnectionString);
            DatabasePath = "";
            return;
        }
        var path = Path.IsPathRooted(o.SqlitePath) ? o.SqlitePath : Path.Combine(env.ContentRootPath, o.SqlitePath);
        DatabasePath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = Math.Max(1, o.BusyTimeoutMs / 1000),
        }.ToString();
        _busyTimeoutMs = o.BusyTimeoutMs;
    }

    public DatabaseProvider Dialect { get; }

    /// <summary>Full path of the SQLite file (empty on PostgreSQL).</summary>
    public string DatabasePath { get; }

    static Db() => DapperSetup.Configure();

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(ct);
        var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        // busy_timeout and synchronous are per connection, journal_mode=WAL persists in the file: set once per
        // SQLite handle. The pool hands the same handle out again, and three statements per open add up at
        // hundreds of requests a second.
        if (conn.Handle is { } handle && !Configured.TryGetValue(handle, out _))
        {
            await conn.ExecuteAsync($"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
            Configured.AddOrUpdate(handle, Done);
        }
        return conn;
    }

    /// <summary>SQLite online backup into <paramref name="destination"/> (the app may keep running).</summary>
    /// <exception cref="NotSupportedException">On PostgreSQL: back up with the server's own tools.</exception>
    public async Task BackupAsync(string destination, CancellationToken ct = default)
    {
        if (Dialect != DatabaseProvider.Sqlite)
            throw new NotSupportedException(
                "The backup command copies a SQLite file. On PostgreSQL use the server's tools, e.g. pg_dump --format=custom --file=FILE DATABASE (see README, Backups).");
        await using var source = (SqliteConnection)await OpenAsync(ct);
        var full = Path.GetFullPath(destination);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (File.Exists(full)) File.Delete(full);
        await using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        await target.OpenAsync(ct);
        source.BackupDatabase(target);
    }

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;

    public void Dispose() => _postgres?.Dispose();
}
