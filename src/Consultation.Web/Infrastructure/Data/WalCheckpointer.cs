using Dapper;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>
/// Copies SQLite's write-ahead log into the database file off the write path (issue 6, load benchmarks). The group
/// writer (ResponseWriter) commits with automatic checkpoints off and wakes this service after each batch; it runs a
/// PASSIVE checkpoint on its own connection, at most every <see cref="MinimumGap"/> (wake-ups meanwhile fold into
/// one), while the writer keeps appending. Other connections keep SQLite's default automatic checkpoint. Does nothing
/// on PostgreSQL.
/// </summary>
public sealed class WalCheckpointer(Db db, ILogger<WalCheckpointer> logger) : BackgroundService
{
    /// <summary>SQLite's default wal_autocheckpoint, which the writer's connection gets back after each batch.</summary>
    public const int AutoCheckpointPages = 1000;
    /// <summary>
    /// A checkpoint copies each page changed since the last one once, however often it changed: responses are rewritten
    /// all the time, so fewer checkpoints copy less (250 ms → 1 s: about 6 % more submissions a second under load, 0.22
    /// against 0.23–0.24 ms of CPU each, bench/RESULTS.md session 8), for a write-ahead log up to a second of writes long.
    /// </summary>
    public static readonly TimeSpan MinimumGap = TimeSpan.FromSeconds(1);

    private readonly WakeSignal _wake = new();
    private long _checkpoints;

    /// <summary>Checkpoints run so far (for the tests).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    public void Wake() => _wake.Set();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (db.Dialect != DatabaseProvider.Sqlite) return;
        try
        {
            while (await _wake.WaitAsync(stoppingToken))
            {
                _wake.Reset();
                try
                {
                    await using var conn = await db.OpenAsync(stoppingToken);
                    await conn.ExecuteAsync("PRAGMA wal_checkpoint(PASSIVE)");
                    Interlocked.Increment(ref _checkpoints);
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or IOException)
                {
                    // A locked or full database: the next wake-up tries again (and other connections still checkpoint).
                    logger.LogWarning(ex, "A write-ahead log checkpoint failed; the next batch retries it");
                }
                await Task.Delay(MinimumGap, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
