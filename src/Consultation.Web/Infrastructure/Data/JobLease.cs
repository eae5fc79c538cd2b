using Dapper;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>
/// A lease in the database so that a background job runs on one instance at a time when several instances share
/// the database. The holder renews it on every pass; when the holder stops (or dies), the lease expires and the next
/// instance to ask takes it over. One portable upsert: the row is taken when it is missing, already ours, or expired.
/// </summary>
public sealed class JobLease(Db db, TimeProvider clock, string holder)
{
    /// <summary>This process: host, process id and a random part (two processes on one host differ).</summary>
    public static string ThisInstance { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public string Holder { get; } = holder;

    /// <summary>How long a lease lives without renewal: three passes, and never under a minute.</summary>
    public static TimeSpan TimeToLive(TimeSpan interval) => TimeSpan.FromTicks(Math.Max(interval.Ticks * 3, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>Takes or renews the lease <paramref name="name"/> until now + <paramref name="ttl"/>; false when another holder has it.</summary>
    public async Task<bool> TryAcquireAsync(string name, TimeSpan ttl, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO leases (name, holder, expires_at) VALUES (@name, @Holder, @expires)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at <= @now
            """, new { name, Holder, expires = now + ttl, now }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// For a periodic job's pass: takes or renews <paramref name="name"/> for <see cref="TimeToLive"/> of the job's
    /// <paramref name="interval"/>; false (logged at Debug) when another instance holds it and this pass is skipped.
    /// </summary>
    public async Task<bool> HoldForPassAsync(string name, TimeSpan interval, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (await TryAcquireAsync(name, TimeToLive(interval), ct)) return true;
        logger.LogDebug("Skipping {Job}: another instance holds its lease", name);
        return false;
    }

    /// <summary>Gives the lease up (on shutdown) so another instance need not wait for it to expire.</summary>
    public async Task ReleaseAsync(string name, CancellationToken ct = default)
    {
        try
        {
            await using var conn = await db.OpenAsync(ct);
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM leases WHERE name = @name AND holder = @Holder",
                new { name, Holder }, cancellationToken: ct));
        }
        catch (ObjectDisposedException)
        {
            // The host is already tearing down its services (the database's pool is gone): the lease simply expires.
        }
    }

    /// <summary>
    /// <see cref="ReleaseAsync"/> for a background job stopping: a database that cannot be reached (or a shutdown that
    /// is cancelled) is logged, not thrown — the lease then simply expires.
    /// </summary>
    public async Task ReleaseOnStopAsync(string name, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(logger);
        try { await ReleaseAsync(name, ct); }
        catch (Exception ex) when (ex is System.Data.Common.DbException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not release the lease {Lease}; it expires by itself", name);
        }
    }

    /// <summary>The current holder of <paramref name="name"/> while its lease is unexpired; null otherwise.</summary>
    public async Task<string?> HolderOfAsync(string name, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT holder FROM leases WHERE name = @name AND expires_at > @now", new { name, now = clock.GetUtcNow() }, cancellationToken: ct));
    }
}
