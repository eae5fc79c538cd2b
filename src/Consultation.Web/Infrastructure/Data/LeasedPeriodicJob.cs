namespace Consultation.Web.Infrastructure.Data;

/// <summary>
/// A background job that runs one pass every <see cref="Interval"/> on <see cref="TimeProvider"/>, and — with several
/// instances behind one database — only on the instance that holds its <see cref="JobLease"/>. A failed pass (a locked
/// database, a mail server that is down) is logged and retried at the next tick; on shutdown the lease is handed over
/// at once instead of letting the other instances wait for it to expire.
/// </summary>
public abstract class LeasedPeriodicJob(TimeProvider clock, ILogger logger, JobLease? lease) : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected ILogger Logger { get; } = logger;

    /// <summary>The name of the job's lease row.</summary>
    protected abstract string JobName { get; }

    protected abstract TimeSpan Interval { get; }

    /// <summary>One pass of the job at the clock's current time.</summary>
    protected abstract Task RunPassAsync(CancellationToken ct);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (lease is not null) await lease.ReleaseOnStopAsync(JobName, Logger, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Clock);
        do
        {
            try
            {
                if (lease is null || await lease.HoldForPassAsync(JobName, Interval, Logger, stoppingToken))
                    await RunPassAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Logger.LogError(ex, "A pass of the background job {Job} failed; the next tick retries", JobName);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
