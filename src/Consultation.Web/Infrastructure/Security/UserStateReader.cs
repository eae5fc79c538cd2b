using System.Collections.Concurrent;
using System.Data.Common;
using Consultation.Web.Infrastructure.Data;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// Reads the signed-in user's row (<see cref="StampValidator.UserStateSql"/>) that every signed-in request checks its
/// cookie against. On SQLite that is a compiled statement on a kept connection in this process. On PostgreSQL it was a
/// round trip of its own per request, each waking a database process: about a third of what a submission cost the
/// machine under load (bench/RESULTS.md, session 9). There, the reads asked for while a query is on its way wait and go
/// together as the next query, one for all of their users (<c>= ANY(@ids)</c>), sent as soon as the previous one has
/// answered; a lone read goes at once. A read is only ever answered by a query sent after it was asked for, so a
/// password change, sign-out elsewhere or role change committed before a request is seen by that request, as before.
/// </summary>
public sealed class UserStateReader(Db db)
{
    /// <summary>Users at most in one query (the rest wait for the next).</summary>
    public const int MaxBatch = 256;

    /// <summary>
    /// <see cref="StampValidator.UserStateSql"/> for several users at once: the user's id first, then the same columns.
    /// </summary>
    internal static readonly HotSql ManySql = new($"""
        SELECT u.id, {StampValidator.UserStateColumns}
          FROM users u WHERE u.id = ANY(@ids)
        """, "@ids", "@Key");

    private readonly ConcurrentQueue<Pending> _pending = new();
    private int _running;
    private long _queries;

    /// <summary>Batched queries sent so far (for the tests).</summary>
    internal long Queries => Interlocked.Read(ref _queries);

    /// <summary>For the tests: awaited before each batched query takes its reads (to let several queue up).</summary>
    internal Func<Task>? BeforeQuery { get; set; }

    private sealed class Pending(long id)
    {
        public long Id { get; } = id;
        public TaskCompletionSource<StampValidator.UserState?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The user's row as it is now (null when there is none).</summary>
    public Task<StampValidator.UserState?> ReadAsync(long id, CancellationToken ct)
    {
        if (db.Dialect != DatabaseProvider.Postgres)
            return db.QueryHotAsync(StampValidator.UserStateSql, [id, PortalSettings.RequireTwoFactorForCoordinators], StampValidator.ReadState, ct);
        ct.ThrowIfCancellationRequested();
        var pending = new Pending(id);
        _pending.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            // The loop belongs to no request: it must not carry this one's context (its user, its log scope).
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(RunAsync, CancellationToken.None);
        }
        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task RunAsync()
    {
        while (true)
        {
            if (_pending.IsEmpty)
            {
                // A full fence (not just a release): the check below must not be read before the loop is seen to
                // have stopped, or a read queued meanwhile could find the loop running and be left waiting.
                Interlocked.Exchange(ref _running, 0);
                // A read queued after the check found the loop still running and started none: take it, unless a new
                // loop already has.
                if (_pending.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
            }
            if (BeforeQuery is { } hold) await hold();
            var batch = new List<Pending>();
            while (batch.Count < MaxBatch && _pending.TryDequeue(out var next)) batch.Add(next);
            try
            {
                var ids = batch.Select(p => p.Id).Distinct().ToArray();
                var states = await db.QueryHotAsync(ManySql, [ids, PortalSettings.RequireTwoFactorForCoordinators], ReadMany);
                Interlocked.Increment(ref _queries);
                foreach (var p in batch) p.Done.TrySetResult(states.GetValueOrDefault(p.Id));
            }
            catch (Exception ex)
            {
                // The database is away (or the pool exhausted): each request fails as its own read would have.
                foreach (var p in batch) p.Done.TrySetException(ex);
            }
        }
    }

    private static Dictionary<long, StampValidator.UserState> ReadMany(DbDataReader r)
    {
        var states = new Dictionary<long, StampValidator.UserState>();
        while (r.Read()) states[DapperSetup.Column.Number(r, 0)] = StampValidator.ReadColumns(r, 1);
        return states;
    }
}
