using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// Fixed-window attempt counters shared by every instance through Redis (<c>Redis:Configuration</c>), so that a
/// guesser spreading attempts over several instances behind the proxy meets the same limit as on one. One key per
/// (limit, client key, window), incremented atomically and expiring after two windows. Without Redis, or while it
/// cannot be reached, the counters answer <c>null</c> and callers count in process (per instance) — logged, so a
/// deployment never silently loses its shared limits.
/// </summary>
public sealed class SharedRateCounter(string? redisConfiguration, string prefix, TimeProvider clock, ILogger<SharedRateCounter> logger) : IAsyncDisposable
{
    /// <summary>After a failure Redis is not tried again for this long (each attempt would delay a request).</summary>
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;
    private long _notBeforeTicks;

    public bool Shared => !string.IsNullOrWhiteSpace(redisConfiguration);

    /// <summary>Counts one attempt; the count in the current window including it, or null when not shared now.</summary>
    public async ValueTask<long?> IncrementAsync(string limit, string key, TimeSpan window)
    {
        if (await DatabaseAsync() is not { } db) return null;
        var redisKey = Key(limit, key, window);
        try
        {
            var count = await db.StringIncrementAsync(redisKey);
            if (count == 1) await db.KeyExpireAsync(redisKey, window + window);
            return count;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return Failed(ex);
        }
    }

    /// <summary>The count in the current window without adding to it, or null when not shared now.</summary>
    public async ValueTask<long?> CountAsync(string limit, string key, TimeSpan window)
    {
        if (await DatabaseAsync() is not { } db) return null;
        try
        {
            var value = await db.StringGetAsync(Key(limit, key, window));
            return value.IsNull ? 0 : (long)value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return Failed(ex);
        }
    }

    private RedisKey Key(string limit, string key, TimeSpan window)
    {
        var slot = clock.GetUtcNow().ToUnixTimeMilliseconds() / (long)window.TotalMilliseconds;
        return $"{prefix}:ratelimit:{limit}:{slot}:{key}";
    }

    private long? Failed(Exception ex)
    {
        Interlocked.Exchange(ref _notBeforeTicks, (clock.GetUtcNow() + Backoff).UtcTicks);
        logger.LogWarning(ex, "Rate limits could not reach Redis; counting per instance for the next {Seconds} s", Backoff.TotalSeconds);
        return null;
    }

    private async ValueTask<IDatabase?> DatabaseAsync()
    {
        if (!Shared || clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _notBeforeTicks)) return null;
        if (_redis is { } ready) return ready.GetDatabase();
        await _connecting.WaitAsync();
        try
        {
            if (clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _notBeforeTicks)) return null;
            var options = ConfigurationOptions.Parse(redisConfiguration!);
            options.AbortOnConnectFail = false; // keeps reconnecting in the background after a failed first connect
            options.BacklogPolicy = BacklogPolicy.FailFast; // while disconnected a count fails at once instead of holding the request
            _redis ??= await ConnectionMultiplexer.ConnectAsync(options);
            return _redis.GetDatabase();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex);
            return null;
        }
        finally { _connecting.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
        _connecting.Dispose();
    }
}

/// <summary>
/// A fixed-window limiter for one client key that counts in <see cref="SharedRateCounter"/> when it is shared and in an
/// in-process <see cref="FixedWindowRateLimiter"/> while Redis cannot be reached. The synchronous path always declines
/// so that the rate limiting middleware takes the asynchronous one, where the shared count is read. Without Redis
/// configured <see cref="Partition"/> hands out the framework's own fixed-window limiter instead.
/// </summary>
public sealed class SharedWindowLimiter(SharedRateCounter counter, string limit, string key, int permits, TimeSpan window, TimeProvider clock) : RateLimiter
{
    private readonly FixedWindowRateLimiter _local = new(new FixedWindowRateLimiterOptions
    {
        PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true,
    });
    private long _lastUsedTicks = clock.GetUtcNow().UtcTicks;

    /// <summary>A rate limiting partition for <paramref name="key"/> under the named limit.</summary>
    public static RateLimitPartition<string> Partition(HttpContext context, string limit, string key, int permits, TimeSpan window)
    {
        var counter = context.RequestServices.GetRequiredService<SharedRateCounter>();
        if (!counter.Shared)
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        return RateLimitPartition.Get(key, k => new SharedWindowLimiter(counter, limit, k, permits, window, clock));
    }

    public override TimeSpan? IdleDuration => clock.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    public override RateLimiterStatistics? GetStatistics() => _local.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Declined(null);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsedTicks, clock.GetUtcNow().UtcTicks);
        if (permitCount == 0 || await counter.IncrementAsync(limit, key, window) is not { } count)
            return await _local.AcquireAsync(permitCount, cancellationToken);
        return count <= permits ? Lease.Granted : Lease.Declined(window);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _local.Dispose();
        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public static Lease Declined(TimeSpan? retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
