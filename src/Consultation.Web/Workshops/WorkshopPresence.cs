using Consultation.Web.Infrastructure.Data;
using StackExchange.Redis;

namespace Consultation.Web.Workshops;

/// <summary>
/// Which participants are connected to a workshop, across instances. One instance knows only its own connections;
/// with Redis configured each instance keeps its participants of a workshop in a Redis set that expires unless
/// renewed (so a crashed instance's participants drop out by themselves), and the count is the union of the sets.
/// Every instance then reports the same number. Without Redis (one instance) the local count is the count.
/// </summary>
public sealed class WorkshopPresence(string? redisConfiguration, string channelPrefix, ILogger<WorkshopPresence> logger) : IAsyncDisposable
{
    /// <summary>How long an instance's set lives without renewal; <see cref="RenewEvery"/> renews well before.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _redis;

    public bool Shared => !string.IsNullOrWhiteSpace(redisConfiguration);

    private RedisKey IndexKey(long workshopId) => $"{channelPrefix}:presence:w{workshopId}";
    private RedisKey InstanceKey(long workshopId) => $"{channelPrefix}:presence:w{workshopId}:{JobLease.ThisInstance}";

    private async Task<IDatabase> DatabaseAsync()
    {
        if (_redis is { } ready) return ready.GetDatabase();
        await _connecting.WaitAsync();
        try
        {
            _redis ??= await ConnectionMultiplexer.ConnectAsync(redisConfiguration!);
            return _redis.GetDatabase();
        }
        finally { _connecting.Release(); }
    }

    /// <summary>Replaces this instance's participants of the workshop (empty: this instance has none left).</summary>
    public async Task PublishAsync(long workshopId, IReadOnlyCollection<long> participants)
    {
        if (!Shared) return;
        try
        {
            var db = await DatabaseAsync();
            var key = InstanceKey(workshopId);
            var tx = db.CreateTransaction();
            var writes = new List<Task> { tx.KeyDeleteAsync(key) };
            if (participants.Count > 0)
            {
                writes.Add(tx.SetAddAsync(key, [.. participants.Select(p => (RedisValue)p)]));
                writes.Add(tx.KeyExpireAsync(key, Ttl));
                writes.Add(tx.SetAddAsync(IndexKey(workshopId), key.ToString()));
                writes.Add(tx.KeyExpireAsync(IndexKey(workshopId), Ttl + Ttl));
            }
            await tx.ExecuteAsync();
            await Task.WhenAll(writes);
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Could not publish the participants of workshop {WorkshopId} to Redis", workshopId);
        }
    }

    /// <summary>Distinct participants connected to any instance (<paramref name="local"/>: this instance's, always counted).</summary>
    public async Task<int> CountAsync(long workshopId, IReadOnlyCollection<long> local)
    {
        if (!Shared) return local.Count;
        try
        {
            var db = await DatabaseAsync();
            var keys = (await db.SetMembersAsync(IndexKey(workshopId))).Select(k => (RedisKey)k.ToString()).ToArray();
            if (keys.Length == 0) return local.Count;
            // Sets of instances that stopped renewing have expired; SUNION treats them as empty.
            var everywhere = await db.SetCombineAsync(SetOperation.Union, keys);
            return everywhere.Select(v => (long)v).Union(local).Count();
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Could not read the participants of workshop {WorkshopId} from Redis; counting this instance's only", workshopId);
            return local.Count;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
        _connecting.Dispose();
    }
}
