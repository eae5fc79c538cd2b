using Microsoft.Extensions.Options;

namespace Consultation.Web.Evidence;

/// <summary>
/// Keeps the evidence of recently opened views current: every <see cref="EvidenceOptions.RefreshIntervalSeconds"/> it
/// asks <see cref="EvidenceService.RefreshAsync"/> to recompute what the last data change made old, so a coordinator
/// opening the page after new responses usually finds the figures ready.
/// </summary>
public sealed class EvidenceRefresher(EvidenceService evidence, IOptions<EvidenceOptions> options, TimeProvider clock, ILogger<EvidenceRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RefreshIntervalSeconds == 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RefreshIntervalSeconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await evidence.RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A locked database or a failing round must not stop the pass: the next tick retries.
                logger.LogError(ex, "Recomputing evidence in the background failed");
            }
        }
    }
}
