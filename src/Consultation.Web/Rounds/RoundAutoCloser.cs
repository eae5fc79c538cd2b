using Consultation.Core.Rounds;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Rounds;

/// <summary>
/// Closes open rounds whose closing time has passed (issue 3: "closing is manual or automatic at the closing
/// time"). Polls every <see cref="RoundsOptions.AutoCloseIntervalSeconds"/>; each close is audited as the system.
/// </summary>
public sealed class RoundAutoCloser(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<RoundsOptions> options, ILogger<RoundAutoCloser> logger,
    JobLease? lease = null) : BackgroundService
{
    public const string SystemActor = "system";

    /// <summary>The job's lease (<see cref="JobLease"/>): one instance at a time runs it.</summary>
    public const string LeaseName = "rounds.auto-close";

    private TimeSpan Interval => TimeSpan.FromSeconds(options.Value.AutoCloseIntervalSeconds);

    /// <summary>Hands the lease over at once instead of letting the other instances wait for it to expire.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (lease is null) return;
        try { await lease.ReleaseAsync(LeaseName, cancellationToken); }
        catch (Exception ex) when (ex is System.Data.Common.DbException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not release the lease {Lease}; it expires by itself", LeaseName);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                // Several instances behind one database: only the lease holder runs the pass.
                if (lease is null || await lease.HoldForPassAsync(LeaseName, Interval, logger, stoppingToken))
                    await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A locked or briefly unavailable database must not stop the service: the next tick retries.
                logger.LogError(ex, "Closing rounds past their closing time failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private sealed record DueRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public DateTimeOffset ClosesAt { get; init; }
    }

    /// <summary>One pass: closes every open round due at the clock's current time; returns the ids it closed.</summary>
    public async Task<IReadOnlyList<long>> RunOnceAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        await using var conn = await db.OpenAsync(ct);
        var due = (await conn.QueryAsync<DueRow>(new CommandDefinition(
            "SELECT id, title, closes_at FROM rounds WHERE status = 'Open' AND closes_at <= @now ORDER BY closes_at",
            new { now }, cancellationToken: ct))).ToList();

        var closed = new List<long>();
        foreach (var round in due)
        {
            var facts = new RoundFacts { Status = RoundStatus.Open, ClosesAt = round.ClosesAt };
            if (!RoundTransitions.Decide(facts, RoundStatus.Closed, now, TransitionTrigger.ClosingTime).Allowed) continue;
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (await RoundsSql.MoveAsync(conn, tx, round.Id, RoundStatus.Open, RoundStatus.Closed, now, ct) == 0) continue;
            await audit.WriteAsync(AuditActions.RoundClosed, $"round:{round.Id}",
                $"{round.Title}: closed automatically at its closing time {DapperSetup.Format(round.ClosesAt)}", conn, tx, actorEmail: SystemActor, ct: ct);
            await tx.CommitAsync(ct);
            logger.LogInformation("Round {RoundId} closed at its closing time", round.Id);
            closed.Add(round.Id);
        }
        return closed;
    }
}
