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
/// set here (<c>synchronous</c> from <see cref="DatabaseOptions.Synchronous"/>); for PostgreSQL, connections come from one pooled <see cref="NpgsqlDataSource"/>.
/// </summary>
public sealed class Db : IAsyncDisposable, IDisposable
{
    private readonly string _connectionString = "";
    /// <summary>The per-connection pragmas; <see cref="Configured"/> remembers which of them a handle got.</summary>
    private readonly string _pragmas = "";
    private readonly NpgsqlDataSource? _postgres;

    /// <summary>The connection string the PostgreSQL pool uses (the configured one with the portal's defaults); empty on SQLite.</summary>
    internal string PostgresConnectionString { get; } = "";

    private static bool Mentions(string connectionString, params string[] keys) =>
        keys.Any(k => connectionString.Contains(k, StringComparison.OrdinalIgnoreCase));
    private readonly HotConnections? _hot;
    /// <summary>SQLite handles that have had their pragmas; an entry goes when the pool closes its handle.</summary>
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, string> Configured = new();

    public Db(IOptions<DatabaseOptions> options, IHostEnvironment env)
    {
        var o = options.Value;
        Dialect = o.Provider;
        if (Dialect == DatabaseProvider.Postgres)
        {
            // Npgsql prepares a statement on the server once it has run a few times on a connection (the hot paths'
            // few statements, see HotSql), unless the connection string says otherwise (e.g. "Max Auto Prepare=0"
            // behind a pooler in transaction mode).
            var pg = new NpgsqlConnectionStringBuilder(o.ConnectionString);
            if (!Mentions(o.ConnectionString, "Auto Prepare", "AutoPrepare")) pg.MaxAutoPrepare = 64;
            // A connection back in the pool is not reset (Npgsql would otherwise send RESET ALL, CLOSE ALL, UNLISTEN,
            // pg_advisory_unlock_all and DISCARD before its next command: six statements PostgreSQL parses and runs
            // for every request's every connection — about a sixth of the portal's throughput on PostgreSQL in the
            // submission benchmark). The portal changes no session state: no SET, LISTEN or temporary tables; the one
            // advisory lock (migrations, Migrator) is released explicitly, and a broken connection is not pooled.
            if (!Mentions(o.ConnectionString, "No Reset On Close", "NoResetOnClose")) pg.NoResetOnClose = true;
            PostgresConnectionString = pg.ConnectionString;
            _postgres = NpgsqlDataSource.Create(pg.ConnectionString);
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
        // FULL by default: in WAL mode every commit is fsynced before it is acknowledged, so a power cut loses
        // nothing acknowledged (group commit in ResponseWriter shares one fsync among many autosaves).
        var synchronous = o.Synchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL";
        _pragmas = $"PRAGMA busy_timeout = {o.BusyTimeoutMs}; PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous};";
        var hotConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        _hot = new HotConnections(() =>
        {
            var conn = new SqliteConnection(hotConnectionString);
            conn.Open();
            conn.Execute(_pragmas);
            return conn;
        });
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
        // Two Db on one file with different settings (tests, commands) share the pool: each handle remembers
        // what it got, and gets the settings again when they differ.
        if (conn.Handle is { } handle && !(Configured.TryGetValue(handle, out var applied) && string.Equals(applied, _pragmas, StringComparison.Ordinal)))
        {
            await conn.ExecuteAsync(_pragmas);
            Configured.AddOrUpdate(handle, _pragmas);
        }
        return conn;
    }

    /// <summary>
    /// Runs a hot statement (see <see cref="HotSql"/>) with <paramref name="values"/> in the order of its parameters
    /// and hands the open reader to <paramref name="read"/>, which must not keep it. On SQLite the command stays
    /// compiled on a long-lived connection; on PostgreSQL it is an ordinary command on a pooled connection.
    /// </summary>
    public async Task<T> QueryHotAsync<T>(HotSql statement, object?[] values, Func<DbDataReader, T> read, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        if (values.Length != statement.Parameters.Count)
            throw new ArgumentException($"The statement takes {statement.Parameters.Count} values, not {values.Length}.", nameof(values));
        if (_postgres is not null)
        {
            await using var conn = await _postgres.OpenConnectionAsync(ct);
            return await QueryHotAsync(conn, null, statement, values, read, ct);
        }
        var entry = _hot!.Rent();
        T result;
        try
        {
            // Synchronous: Microsoft.Data.Sqlite's async methods run synchronously anyway.
            using var reader = entry.Command(statement, values).ExecuteReader();
            result = read(reader);
        }
        catch
        {
            entry.Dispose();
            throw;
        }
        _hot.Return(entry);
        return result;
    }

    /// <summary>
    /// A connection for a caller that runs several statements in one transaction, hot ones among them (the group
    /// writer): on SQLite one of the kept connections, so that <see cref="QueryHotAsync{T}(DbConnection, DbTransaction?, HotSql, object?[], Func{DbDataReader, T}, CancellationToken)"/>
    /// finds its compiled commands; on PostgreSQL a pooled one. Dispose it when done; call <see cref="HotLease.Fail"/>
    /// first when anything on it failed, and it is closed instead of kept.
    /// </summary>
    public async Task<HotLease> RentAsync(CancellationToken ct = default)
    {
        if (_postgres is not null) return new HotLease(await _postgres.OpenConnectionAsync(ct), null, null);
        ct.ThrowIfCancellationRequested();
        var entry = _hot!.Rent();
        return new HotLease(entry.Connection, entry, _hot);
    }

    public sealed class HotLease : IAsyncDisposable
    {
        private readonly HotConnections.Entry? _entry;
        private readonly HotConnections? _owner;
        private bool _failed;

        internal HotLease(DbConnection connection, HotConnections.Entry? entry, HotConnections? owner) =>
            (Connection, _entry, _owner) = (connection, entry, owner);

        public DbConnection Connection { get; }

        /// <summary>Something failed on this connection: close it rather than keep it.</summary>
        public void Fail() => _failed = true;

        public ValueTask DisposeAsync()
        {
            if (_entry is null) return Connection.DisposeAsync();
            if (_failed) _entry.Dispose();
            else _owner!.Return(_entry);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// A hot statement on a connection the caller holds, in its transaction (the group writer's, see <see cref="RentAsync"/>):
    /// compiled once per kept SQLite connection; an ordinary command otherwise.
    /// </summary>
    public static Task<T> QueryHotAsync<T>(DbConnection conn, DbTransaction? tx, HotSql statement, object?[] values, Func<DbDataReader, T> read,
        CancellationToken ct = default) => RunOnAsync(conn, tx, statement, values, async command =>
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            return read(reader);
        });

    /// <summary>As <see cref="QueryHotAsync{T}(DbConnection, DbTransaction?, HotSql, object?[], Func{DbDataReader, T}, CancellationToken)"/> for statements without rows (every statement of the text is run).</summary>
    public static Task<int> ExecuteHotAsync(DbConnection conn, DbTransaction? tx, HotSql statement, object?[] values, CancellationToken ct = default) =>
        RunOnAsync(conn, tx, statement, values, command => command.ExecuteNonQueryAsync(ct));

    private static async Task<T> RunOnAsync<T>(DbConnection conn, DbTransaction? tx, HotSql statement, object?[] values, Func<DbCommand, Task<T>> run)
    {
        if (values.Length != statement.Parameters.Count)
            throw new ArgumentException($"The statement takes {statement.Parameters.Count} values, not {values.Length}.", nameof(values));
        if (conn is SqliteConnection sqlite && HotConnections.Of(sqlite) is { } entry)
        {
            return await run(entry.Command(statement, values, (SqliteTransaction?)tx));
        }
        if (conn is SqliteConnection) Interlocked.Increment(ref _hotRunsUncompiled);
        await using var command = conn.CreateCommand();
        command.CommandText = statement.Sql;
        command.Transaction = tx;
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = statement.Parameters[i];
            parameter.Value = ParameterValue(values[i]);
            command.Parameters.Add(parameter);
        }
        return await run(command);
    }

    /// <summary>A hot statement as one command of a PostgreSQL batch (ResponseWriter), its parameters as <see cref="QueryHotAsync{T}(DbConnection, DbTransaction?, HotSql, object?[], Func{DbDataReader, T}, CancellationToken)"/> binds them.</summary>
    internal static Npgsql.NpgsqlBatchCommand PostgresCommand(HotSql statement, object?[] values)
    {
        if (values.Length != statement.Parameters.Count)
            throw new ArgumentException($"The statement takes {statement.Parameters.Count} values, not {values.Length}.", nameof(values));
        var command = new Npgsql.NpgsqlBatchCommand(statement.Sql);
        for (var i = 0; i < values.Length; i++) command.Parameters.Add(new Npgsql.NpgsqlParameter(statement.Parameters[i], ParameterValue(values[i])));
        return command;
    }

    /// <summary>
    /// <see cref="HotSql.Many"/> of a hot statement as one command of a PostgreSQL batch: each parameter an array of the
    /// values <paramref name="sets"/> give it (text, bigint or integer; null where a set has none).
    /// </summary>
    internal static Npgsql.NpgsqlBatchCommand PostgresManyCommand(HotSql many, IReadOnlyList<object?[]> sets)
    {
        var command = new Npgsql.NpgsqlBatchCommand(many.Sql);
        for (var p = 0; p < many.Parameters.Count; p++)
        {
            var values = new object?[sets.Count];
            for (var i = 0; i < sets.Count; i++)
            {
                if (sets[i].Length != many.Parameters.Count)
                    throw new ArgumentException($"The statement takes {many.Parameters.Count} values, not {sets[i].Length}.", nameof(sets));
                values[i] = sets[i][p] is { } value ? ParameterValue(value) : null;
            }
            Array column = Array.Find(values, v => v is not null) switch
            {
                null or string => Array.ConvertAll(values, v => (string?)v),
                long => Array.ConvertAll(values, v => (long?)v),
                int => Array.ConvertAll(values, v => (int?)v),
                var other => throw new NotSupportedException($"{many.Parameters[p]}: no array of {other.GetType().Name} values."),
            };
            command.Parameters.Add(new Npgsql.NpgsqlParameter(many.Parameters[p], column));
        }
        return command;
    }

    /// <summary>
    /// Closes the idle connections that <see cref="QueryHotAsync{T}"/> keeps open (those in use close when they come
    /// back). For tests that change the database file under a running portal, together with
    /// <c>SqliteConnection.ClearAllPools</c>.
    /// </summary>
    public void ClearHotConnections() => _hot?.Clear();

    private static int _hotRunsUncompiled;

    /// <summary>Hot statements run on a SQLite connection that is not a kept one (compiled for that one run), in this process; for the tests.</summary>
    internal static int HotRunsUncompiled => Volatile.Read(ref _hotRunsUncompiled);

    /// <summary>Hot commands compiled so far on SQLite (0 on PostgreSQL); for the tests.</summary>
    internal int HotStatementsCompiled => _hot?.Compiled ?? 0;

    /// <summary>A parameter value as Dapper's handlers store it (<see cref="DapperSetup"/>): time as UTC text, flags as 0/1.</summary>
    internal static object ParameterValue(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset t => DapperSetup.Format(t),
        bool b => b ? 1L : 0L,
        _ => value,
    };

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

    public ValueTask DisposeAsync()
    {
        _hot?.Dispose();
        return _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    public void Dispose()
    {
        _hot?.Dispose();
        _postgres?.Dispose();
    }
}
