using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Workshops;

/// <summary>
/// Limits join-code guessing per client address. Only unknown codes count: a room of fifty phones behind one
/// conference Wi-Fi address all join with the right code within a minute, and must not be turned away.
/// </summary>
public sealed class JoinCodeGuard : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;

    public JoinCodeGuard(IOptions<WorkshopsOptions> options)
    {
        var limit = options.Value.JoinCodeFailuresPerMinute;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    private static string Key(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>True when this address has used up its failed attempts for the current minute.</summary>
    public bool IsBlocked(HttpContext context) => _failures.GetStatistics(Key(context))?.CurrentAvailablePermits <= 0;

    /// <summary>Counts one unknown code; returns false when the address is now over its limit.</summary>
    public bool RecordFailure(HttpContext context)
    {
        using var lease = _failures.AttemptAcquire(Key(context));
        return lease.IsAcquired;
    }

    public void Dispose() => _failures.Dispose();
}
