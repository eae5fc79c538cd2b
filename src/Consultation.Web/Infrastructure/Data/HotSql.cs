using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>
/// A statement that a hot path runs for (nearly) every request: the security stamp check, the respondent's autosave
/// target. Microsoft.Data.Sqlite compiles a command's SQL again for every new command object, and a pooled connection
/// is a new object at every open, so each such statement paid its full parse and plan on every request — a profile of
/// the autosave load showed SQLite's parser and planner at about a third of the server's CPU
/// (bench/RESULTS.md). <see cref="Db.QueryHotAsync{T}"/> runs a <see cref="HotSql"/> on a long-lived connection that
/// keeps the command, so SQLite compiles it once per connection. On PostgreSQL it is an ordinary command on a pooled
/// connection (Npgsql prepares repeated statements itself, see <see cref="Db"/>).
/// </summary>
/// <remarks>Declare each one once, as a static field: the statement cache is keyed by the instance.</remarks>
public sealed class HotSql(string sql, params string[] parameters)
{
    public string Sql { get; } = sql;

    /// <summary>Parameter names as used in <see cref="Sql"/> (with their '@'); values are given in this order.</summary>
    public IReadOnlyList<string> Parameters { get; } = parameters;

    /// <summary>
    /// PostgreSQL, optional: the same statement for several sets of values at once (ResponseWriter runs the writes of a
    /// batch that use this statement as one). It takes the same parameters, each an array with one value per set, and
    /// returns the rows this statement would, each followed by a last column: the 1-based place of its set.
    /// </summary>
    public HotSql? Many { get; init; }
}

/// <summary>
/// SQLite connections kept open with their compiled <see cref="HotSql"/> commands. A connection is used by one caller
/// at a time; at most <see cref="MaxIdle"/> wait idle, more are opened under a burst and closed again. A connection
/// whose statement failed is closed, not returned. <see cref="Clear"/> closes them all (tests that change the file
/// under the portal, and <see cref="Db"/>'s disposal).
/// </summary>
internal sealed class HotConnections(Func<SqliteConnection> open) : IDisposable
{
    public const int MaxIdle = 32;

    private readonly ConcurrentStack<Entry> _idle = new();
    /// <summary>Each kept connection's entry (of any portal in the process), for statements run on a rented connection (<see cref="Of"/>).</summary>
    private static readonly ConditionalWeakTable<SqliteConnection, Entry> Entries = new();
    private int _generation;
    private int _compiled;
    private bool _disposed;

    /// <summary>How many commands were compiled so far (for the tests: once per statement and connection).</summary>
    public int Compiled => Volatile.Read(ref _compiled);

    public sealed class Entry(SqliteConnection connection, int generation, HotConnections owner) : IDisposable
    {
        private readonly Dictionary<HotSql, SqliteCommand> _commands = new(ReferenceEqualityComparer.Instance);

        public SqliteConnection Connection { get; } = connection;
        public int Generation { get; } = generation;

        /// <summary>This connection's command for <paramref name="statement"/>, with <paramref name="values"/> bound, in <paramref name="transaction"/> (none by default).</summary>
        public SqliteCommand Command(HotSql statement, ReadOnlySpan<object?> values, SqliteTransaction? transaction = null)
        {
            if (!_commands.TryGetValue(statement, out var command))
            {
                command = Connection.CreateCommand();
                command.CommandText = statement.Sql;
                foreach (var name in statement.Parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
                _commands[statement] = command;
                Interlocked.Increment(ref owner._compiled);
            }
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = Db.ParameterValue(values[i]);
            command.Transaction = transaction;
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values) command.Dispose();
            Connection.Dispose();
        }
    }

    public Entry Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var generation = Volatile.Read(ref _generation);
        while (_idle.TryPop(out var entry))
        {
            if (entry.Generation == generation) return entry;
            entry.Dispose();
        }
        var fresh = new Entry(open(), generation, this);
        Entries.AddOrUpdate(fresh.Connection, fresh);
        return fresh;
    }

    /// <summary>The entry of a connection this keeps (rented by a caller that runs several statements); null for any other connection.</summary>
    public static Entry? Of(SqliteConnection connection) => Entries.TryGetValue(connection, out var entry) ? entry : null;

    /// <summary>Back to the idle stack after a successful use; closed when stale, surplus or after <see cref="Clear"/>.</summary>
    public void Return(Entry entry)
    {
        if (_disposed || entry.Generation != Volatile.Read(ref _generation) || _idle.Count >= MaxIdle)
        {
            entry.Dispose();
            return;
        }
        _idle.Push(entry);
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        while (_idle.TryPop(out var entry)) entry.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        Clear();
    }
}
