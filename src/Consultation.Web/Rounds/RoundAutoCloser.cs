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
    JobLease? lease = null) : LeasedPeriodicJob(clock, logger, lease)
{
    public const string SystemActor = "system";

    /// <summary>The job's lease (<see cref="JobLease"/>): one instance at a time runs it.</summary>
    public const string LeaseName = "rounds.auto-close";

    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.AutoCloseIntervalSeconds);

    protected override string JobName => LeaseName;

    protected override Task RunPassAsync(CancellationToken ct) => RunOnceAsync(ct);

    private sealed record DueRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public DateTimeOffset ClosesAt { get; init; }
    }

    /// <summary>One pass: closes every open round due at the clock's current time; returns the ids it closed.</summary>
    public async Task<IReadOnlyList<long>> RunOnceAsync(CancellationToken ct = default)
    {
        var now = Clock.GetUtcNow();
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
            if (await RoundsSql.MoveAsync(conn, tx, round.Id, RoundStatus.Open, RoundStatus.Closed, now, null, ct) == 0) continue;
            await audit.WriteAsync(AuditActions.RoundClosed, $"round:{round.Id}",
                $"{round.Title}: closed automatically at its closing time {DapperSetup.Format(round.ClosesAt)}", conn, tx, actorEmail: SystemActor, ct: ct);
            await tx.CommitAsync(ct);
            Logger.LogInformation("Round {RoundId} closed at its closing time", round.Id);
            closed.Add(round.Id);
        }
        return closed;
    }
}
