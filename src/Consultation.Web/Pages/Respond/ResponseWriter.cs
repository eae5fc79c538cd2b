using System.Data.Common;
using System.Threading.Channels;
using Consultation.Web.Infrastructure.Data;
using Npgsql;

namespace Consultation.Web.Pages.Respond;

public static class RespondExtensions
{
    /// <summary>The respondents' group-commit writer, one per process, and the compiled answer validators.</summary>
    public static IServiceCollection AddResponding(this IServiceCollection services)
    {
        services.AddSingleton<WalCheckpointer>();
        services.AddHostedService(sp => sp.GetRequiredService<WalCheckpointer>());
        services.AddSingleton<ResponseWriter>();
        services.AddSingleton<CompiledSchemas>();
        services.AddSingleton<FormActions>();
        services.AddHostedService(sp => sp.GetRequiredService<ResponseWriter>());
        return services;
    }
}

/// <summary>
/// Group commit for respondents' autosaves and submissions (issue 6, "Load benchmarks"). One writer takes every
/// queued write, runs all that are waiting (up to <see cref="MaxBatch"/>) in one transaction on one connection,
/// commits once, and only then completes each caller. A save is acknowledged only after the commit that holds it;
/// under load hundreds of saves share one commit instead of queueing one by one for SQLite's single write lock (and
/// sleeping in its busy handler). The writes keep their own guards (revision and ownership in the WHERE clause), so
/// batching changes no outcome.
/// <para>
/// A write must not undo the others of its batch. The batch first runs straight through; if a write throws, the
/// whole transaction is rolled back and the batch runs again with each write in its own savepoint, so only the
/// failing write fails. A write that catches a database error itself (<see cref="WriteIsolatedAsync{T}"/>) always gets
/// its savepoint: on PostgreSQL an error leaves the transaction unusable even when the code carries on. Savepoints cost
/// two statements a write — on PostgreSQL two round trips — so the common case does without them.
/// </para>
/// <para>
/// On PostgreSQL a write that is one statement (<see cref="WriteRowAsync{T}"/>: autosaves, guarded submissions) goes
/// to the server with the other such writes of its batch in one round trip, and writes of the same statement that has
/// a form for many (<see cref="HotSql.Many"/>) as one statement (bench/RESULTS.md, session 8).
/// </para>
/// </summary>
public sealed class ResponseWriter(Db db, ILogger<ResponseWriter> logger, WalCheckpointer? checkpointer = null) : BackgroundService
{
    public const int MaxBatch = 256;
    private const string Savepoint = "response_write";

    /// <summary>
    /// Batches written at the same time: one on SQLite, which has a single write lock anyway. On PostgreSQL a batch
    /// spends most of its time waiting for the server's answers (a round trip a statement), and rows of different
    /// respondents do not lock each other, so several batches go at once, each on its own connection.
    /// </summary>
    public int Parallelism { get; } = db.Dialect == DatabaseProvider.Postgres ? 4 : 1;

    private readonly Channel<Job> _queue = Channel.CreateUnbounded<Job>();

    /// <summary>Writes queued and not yet taken by a batch (for the tests).</summary>
    internal int Queued => _queue.Reader.Count;

    private static long _manyStatements;

    /// <summary>Statements sent for several writes at once (<see cref="HotSql.Many"/>), for the tests.</summary>
    internal static long ManyStatements => Interlocked.Read(ref _manyStatements);

    private sealed class Job(Func<DbConnection, DbTransaction, Task<object?>> run, bool isolated, CancellationToken ct, Statement? statement = null)
    {
        public Func<DbConnection, DbTransaction, Task<object?>> Run { get; } = run;
        /// <summary>Always in its own savepoint (it may catch a database error and carry on).</summary>
        public bool Isolated { get; } = isolated;
        public CancellationToken Cancellation { get; } = ct;
        /// <summary>A write that is one statement (<see cref="WriteRowAsync{T}"/>): on PostgreSQL sent with the others of its batch in one round trip.</summary>
        public Statement? Statement { get; } = statement;
        /// <summary>The caller's context (HttpContext, culture): the write runs as if inline in its request. A statement needs none.</summary>
        public ExecutionContext? Context { get; } = statement is null ? ExecutionContext.Capture() : null;
        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public object? Result { get; set; }
        public Exception? Error { get; set; }
    }

    /// <summary>
    /// Runs <paramref name="write"/> inside the next group transaction and returns its result once that transaction
    /// is committed. An exception thrown by the write (or by the commit) is rethrown here. Pass the transaction to
    /// every command. <paramref name="ct"/> only cancels a write that has not started yet. The write may run twice
    /// (the first run rolled back, see the class remarks): it must do nothing but its statements. It must not catch a
    /// database error; use <see cref="WriteIsolatedAsync{T}"/> for one that does.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken ct) => EnqueueAsync(write, false, ct);

    /// <summary>
    /// As <see cref="WriteAsync{T}"/>, for a write that catches a database error of its own statement and answers for
    /// it: it runs in its own savepoint. It must return right after catching: on PostgreSQL the error has made the
    /// transaction unusable, so the write is rolled back to its savepoint (its answer stands).
    /// </summary>
    public Task<T> WriteIsolatedAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken ct) => EnqueueAsync(write, true, ct);

    /// <summary>
    /// As <see cref="WriteAsync{T}"/> for a write that is one statement returning at most one row (an UPDATE or INSERT
    /// with RETURNING): the row as <paramref name="row"/> reads it, null when there was none. On PostgreSQL the
    /// statements of a batch go to the server together, in one round trip, instead of one round trip each; on SQLite it
    /// runs like any other write.
    /// </summary>
    public async Task<T?> WriteRowAsync<T>(HotSql statement, object?[] values, Func<DbDataReader, T> row, CancellationToken ct) where T : class
    {
        if (values.Length != statement.Parameters.Count)
            throw new ArgumentException($"The statement takes {statement.Parameters.Count} values, not {values.Length}.", nameof(values));
        var job = new Job((c, tx) => Db.QueryHotAsync<object?>(c, tx, statement, values, r => r.Read() ? row(r) : null), false, ct,
            new Statement(statement, values, row));
        if (!_queue.Writer.TryWrite(job)) throw new InvalidOperationException("The portal is shutting down; the answers were not saved.");
        return (T?)await job.Done.Task;
    }

    private sealed record Statement(HotSql Sql, object?[] Values, Func<DbDataReader, object> Row);

    private async Task<T> EnqueueAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, bool isolated, CancellationToken ct)
    {
        var job = new Job(async (c, tx) => await write(c, tx), isolated, ct);
        if (!_queue.Writer.TryWrite(job)) throw new InvalidOperationException("The portal is shutting down; the answers were not saved.");
        return (T)(await job.Done.Task)!;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Parallelism).Select(_ => Task.Run(WriteLoopAsync, CancellationToken.None)));

    private async Task WriteLoopAsync()
    {
        var batch = new List<Job>(MaxBatch);
        // Not stoppingToken: on shutdown the queue is completed and what is already queued is still written.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var job))
            {
                if (job.Cancellation.IsCancellationRequested) job.Done.TrySetCanceled(job.Cancellation);
                else batch.Add(job);
            }
            if (batch.Count == 0) continue;
            await WriteBatchAsync(batch);
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    private static Task<object?> RunInCallerContext(Job job, DbConnection conn, DbTransaction tx)
    {
        if (job.Context is null) return job.Run(conn, tx);
        Task<object?>? task = null;
        ExecutionContext.Run(job.Context, _ => task = job.Run(conn, tx), null);
        return task!;
    }

    private static readonly HotSql NoAutoCheckpoint = new("PRAGMA wal_autocheckpoint = 0");
    private static readonly HotSql DefaultAutoCheckpoint = new("PRAGMA wal_autocheckpoint = " + WalCheckpointer.AutoCheckpointPages);

    /// <summary>Straight through first; after a write failed, again with a savepoint for each.</summary>
    private async Task WriteBatchAsync(List<Job> batch)
    {
        try
        {
            // On SQLite one of the kept connections, whose compiled statements the writes reuse (Db.RentAsync); on
            // PostgreSQL one from the pool. A connection on which anything failed, or whose state changed under it
            // (a file restored, a full disk cleared), never outlives its batch: it is closed, not kept.
            var lease = await db.RentAsync();
            await using (lease)
            {
                var conn = lease.Connection;
                // SQLite: the commit that fills the write-ahead log past its limit would copy it into the database
                // file (and fsync that) before the batch is acknowledged — a stall of a tenth of a second and more
                // under load. The writer's commits leave that to WalCheckpointer, on its own connection, while
                // writing goes on; the connection gets SQLite's default back before anyone else uses it.
                var sqlite = conn is Microsoft.Data.Sqlite.SqliteConnection;
                try
                {
                    if (sqlite) await Db.ExecuteHotAsync(conn, null, NoAutoCheckpoint, []);
                    try
                    {
                        if (!await TryRunAsync(conn, batch, savepoints: false)) await TryRunAsync(conn, batch, savepoints: true);
                    }
                    finally
                    {
                        // After the commit: a failure here must not fail writes that are committed. The connection
                        // is closed instead, so that it cannot keep the writer's setting.
                        if (sqlite)
                        {
                            try { await Db.ExecuteHotAsync(conn, null, DefaultAutoCheckpoint, []); }
                            catch (DbException) { lease.Fail(); }
                        }
                    }
                }
                catch
                {
                    lease.Fail();
                    throw;
                }
                if (batch.Exists(j => j.Error is not null)) lease.Fail();
            }
            if (db.Dialect == DatabaseProvider.Sqlite) checkpointer?.Wake();
        }
        catch (Exception ex)
        {
            // Nothing of this batch is committed: every write in it fails (the callers answer as they would for a
            // failed write of their own), and the next batch takes another connection.
            logger.LogError(ex, "A batch of {Count} response writes failed", batch.Count);
            foreach (var job in batch) job.Error ??= ex;
        }
        foreach (var job in batch)
        {
            if (job.Error is { } error) job.Done.TrySetException(error);
            else job.Done.TrySetResult(job.Result);
        }
    }

    /// <summary>
    /// Runs the batch in one transaction and commits it. Without <paramref name="savepoints"/> the first write that
    /// throws stops the run: the transaction is rolled back and false returned, nothing recorded. With them, a
    /// failing write undoes only itself and keeps its error.
    /// </summary>
    private static async Task<bool> TryRunAsync(DbConnection conn, List<Job> batch, bool savepoints)
    {
        await using var tx = await conn.BeginTransactionAsync();
        for (var i = 0; i < batch.Count; i++)
        {
            var job = batch[i];
            job.Result = null;
            job.Error = null;
            if (!savepoints && conn is NpgsqlConnection pg && job.Statement is not null)
            {
                // This statement and the ones right after it, in one round trip.
                var end = i + 1;
                while (end < batch.Count && batch[end].Statement is not null) end++;
                try
                {
                    await RunStatementsAsync(pg, (NpgsqlTransaction)tx, batch, i, end);
                }
                catch (Exception ex) when (!TransientDatabaseFailures.IsTransient(ex))
                {
                    await tx.RollbackAsync();
                    foreach (var j in batch) j.Result = null;
                    return false;
                }
                i = end - 1;
                continue;
            }
            if (savepoints || job.Isolated)
            {
                await tx.SaveAsync(Savepoint);
                try
                {
                    job.Result = await RunInCallerContext(job, conn, tx);
                }
                catch (Exception ex)
                {
                    job.Error = ex;
                }
                try
                {
                    if (job.Error is null)
                    {
                        await tx.ReleaseAsync(Savepoint);
                        continue;
                    }
                }
                catch (DbException) when (conn is Npgsql.NpgsqlConnection)
                {
                    // The write caught an error and answered for it, but on PostgreSQL that error has left the
                    // transaction unusable: undo the write (it returned right after its failed statement) and keep
                    // its answer.
                }
                await tx.RollbackAsync(Savepoint);
                await tx.ReleaseAsync(Savepoint);
                continue;
            }
            try
            {
                job.Result = await RunInCallerContext(job, conn, tx);
            }
            // A locked or full database fails every write alike: the whole batch answers with it (503, retried).
            catch (Exception ex) when (!TransientDatabaseFailures.IsTransient(ex))
            {
                await tx.RollbackAsync();
                foreach (var j in batch) j.Result = null;
                return false;
            }
        }
        await tx.CommitAsync();
        return true;
    }

    /// <summary>
    /// PostgreSQL: the statements of <paramref name="batch"/>[<paramref name="start"/>..<paramref name="end"/>) sent
    /// together (one round trip; Npgsql prepares them as it does single commands), each one's row read into its job.
    /// The first that fails makes the server skip the rest and fails the transaction: the exception goes to the caller,
    /// which runs the batch again with savepoints.
    /// </summary>
    private static async Task RunStatementsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<Job> batch, int start, int end)
    {
        await using var commands = new NpgsqlBatch(conn, tx);
        // Each command's jobs: one, or several in a row with the same statement that has a form for many (HotSql.Many).
        var units = new List<(int Start, int End)>();
        for (var i = start; i < end;)
        {
            var sql = batch[i].Statement!.Sql;
            var next = i + 1;
            if (sql.Many is not null)
                while (next < end && batch[next].Statement!.Sql == sql) next++;
            if (next - i > 1)
            {
                commands.BatchCommands.Add(Db.PostgresManyCommand(sql.Many!, [.. batch.GetRange(i, next - i).Select(j => j.Statement!.Values)]));
                units.Add((i, next));
                Interlocked.Increment(ref _manyStatements);
            }
            else
            {
                commands.BatchCommands.Add(Db.PostgresCommand(sql, batch[i].Statement!.Values));
                units.Add((i, i + 1));
            }
            i = next;
        }
        await using var reader = await commands.ExecuteReaderAsync();
        for (var u = 0; u < units.Count; u++)
        {
            if (u > 0 && !await reader.NextResultAsync())
                throw new InvalidOperationException("A batched write returned no result set; WriteRowAsync takes statements that return rows.");
            var (first, after) = units[u];
            for (var i = first; i < after; i++) (batch[i].Result, batch[i].Error) = (null, null);
            if (after - first == 1)
            {
                var job = batch[first];
                job.Result = await reader.ReadAsync() ? job.Statement!.Row(reader) : null;
                continue;
            }
            while (await reader.ReadAsync())
            {
                var place = reader.GetInt64(reader.FieldCount - 1);
                if (place < 1 || place > after - first) throw new InvalidOperationException($"A write for many returned place {place} of {after - first}.");
                var job = batch[first + (int)place - 1];
                job.Result = job.Statement!.Row(reader);
            }
        }
    }

}
