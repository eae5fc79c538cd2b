using System.Threading.RateLimiting;
using Consultation.Web.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Workshops;

/// <summary>
/// Limits join-code guessing per client address. Only unknown codes count: a room of fifty phones behind one
/// conference Wi-Fi address all join with the right code within a minute, and must not be turned away.
/// With Redis configured the failures are counted across instances (<see cref="SharedRateCounter"/>); without it,
/// or while Redis cannot be reached, per instance.
/// </summary>
public sealed class JoinCodeGuard : IDisposable
{
    private const string Limit = "join-code";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> _failures;
    private readonly SharedRateCounter _shared;
    private readonly int _limit;

    public JoinCodeGuard(IOptions<WorkshopsOptions> options, SharedRateCounter shared)
    {
        _limit = options.Value.JoinCodeFailuresPerMinute;
        _shared = shared;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = _limit, Window = Window, QueueLimit = 0 }));
    }

    private static string Key(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>True when this address has used up its failed attempts for the current minute.</summary>
    public async ValueTask<bool> IsBlockedAsync(HttpContext context)
    {
        if (await _shared.CountAsync(Limit, Key(context), Window) is { } count) return count >= _limit;
        return _failures.GetStatistics(Key(context))?.CurrentAvailablePermits <= 0;
    }

    /// <summary>Counts one unknown code; returns false when the address is now over its limit.</summary>
    public async ValueTask<bool> RecordFailureAsync(HttpContext context)
    {
        if (await _shared.IncrementAsync(Limit, Key(context), Window) is { } count) return count <= _limit;
        using var lease = _failures.AttemptAcquire(Key(context));
        return lease.IsAcquired;
    }

    public void Dispose() => _failures.Dispose();
}
