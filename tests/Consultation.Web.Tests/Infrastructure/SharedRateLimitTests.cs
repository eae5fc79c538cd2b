using System.Net;
using Consultation.Core.Workshops;
using Consultation.Testing;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>An instance with low limits, counting in the given Redis (or in process when it is null).</summary>
public sealed class LimitedInstance(string? redis, string prefix) : PortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("RateLimits:SensitivePostsPerMinute", "3"),
        new("Workshops:JoinCodeFailuresPerMinute", "3"),
        new("Api:RequestsPerMinute", "3"),
        new("Redis:Configuration", redis),
        new("Redis:ChannelPrefix", prefix),
    ];
}

/// <summary>
/// Issue 6, several instances: the sign-in, join-code and API limits count across instances that share a Redis
/// (a real redis-server started here), so spreading guesses over the instances behind the proxy gains nothing;
/// a Redis that cannot be reached leaves every instance with its own limits rather than none.
/// </summary>
public sealed class SharedRateLimitTests : IAsyncLifetime
{
    private RedisPeer _redis = null!;
    private readonly List<LimitedInstance> _instances = [];

    public async Task InitializeAsync() => _redis = await RedisPeer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances) await instance.DisposeAsync();
        await _redis.DisposeAsync();
    }

    /// <summary>Two instances on one Redis; each test uses its own key prefix, so their windows never meet.</summary>
    private async Task<(LimitedInstance A, LimitedInstance B)> TwoInstancesAsync(string? redis = null)
    {
        var prefix = "t" + Guid.NewGuid().ToString("N");
        var a = new LimitedInstance(redis ?? _redis.Configuration, prefix);
        var b = new LimitedInstance(redis ?? _redis.Configuration, prefix);
        _instances.Add(a);
        _instances.Add(b);
        await a.InitializeAsync();
        await b.InitializeAsync();
        _ = a.Services;
        _ = b.Services;
        await WithinOneWindowAsync();
        return (a, b);
    }

    /// <summary>
    /// The shared windows are wall-clock minutes: a test whose attempts straddle the turn of a minute sees its count
    /// start again (a clean-clone run failed so once). Starts the attempts with at least 20 s of the minute left.
    /// </summary>
    private static async Task WithinOneWindowAsync()
    {
        var intoMinute = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % 60_000;
        if (intoMinute > 40_000) await Task.Delay(TimeSpan.FromMilliseconds(60_000 - intoMinute + 100));
    }

    [Fact]
    public async Task Sign_in_attempts_spread_over_two_instances_meet_one_limit()
    {
        var (a, b) = await TwoInstancesAsync();
        var onA = a.CreateBrowserLikeClient();
        var onB = b.CreateBrowserLikeClient();

        Assert.Equal(HttpStatusCode.OK, (await Forms.LoginAsync(onA, "nobody@example.org", "wrong password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Forms.LoginAsync(onB, "nobody@example.org", "wrong password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Forms.LoginAsync(onA, "nobody@example.org", "wrong password")).StatusCode);

        // The fourth attempt is refused on B, which alone has seen only one.
        var limited = await Forms.LoginAsync(onB, "nobody@example.org", "wrong password");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Too many attempts", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await Forms.PostAsync(onA, "/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "a@b.org" })).StatusCode);
        // Reading the form stays free.
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/Account/Login")).StatusCode);
    }

    [Fact]
    public async Task Join_code_guesses_spread_over_two_instances_meet_one_limit()
    {
        var (a, b) = await TwoInstancesAsync();
        var onA = a.CreateBrowserLikeClient();
        var onB = b.CreateBrowserLikeClient();

        Assert.Equal(HttpStatusCode.NotFound, (await onA.GetAsync($"/join/KKKKK{JoinCodes.Alphabet[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await onB.GetAsync($"/join/KKKKK{JoinCodes.Alphabet[1]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await onA.GetAsync($"/join/KKKKK{JoinCodes.Alphabet[2]}")).StatusCode);

        var blocked = await onB.GetAsync($"/join/KKKKK{JoinCodes.Alphabet[3]}");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Contains("Too many wrong codes", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await onA.GetAsync($"/join/KKKKK{JoinCodes.Alphabet[4]}")).StatusCode);
    }

    [Fact]
    public async Task Api_requests_spread_over_two_instances_meet_one_limit()
    {
        var (a, b) = await TwoInstancesAsync();
        var onA = a.CreateClient();
        var onB = b.CreateClient();

        // Without a token: 401, but every request counts against the address.
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/api/v1/rounds")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/v1/rounds")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/v1/rounds")).StatusCode);

        var limited = await onA.GetAsync("/api/v1/rounds");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Fact]
    public async Task Unreachable_redis_leaves_each_instance_with_its_own_limits()
    {
        // A port nobody listens on: the instances start, answer, and count in process.
        var (a, b) = await TwoInstancesAsync($"127.0.0.1:{SmtpPeer.FreePort()},connectTimeout=500");
        var onA = a.CreateBrowserLikeClient();
        var onB = b.CreateBrowserLikeClient();

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await Forms.LoginAsync(onA, "nobody@example.org", "wrong password")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await Forms.LoginAsync(onA, "nobody@example.org", "wrong password")).StatusCode);
        // B has its own count: not shared, but still limited.
        Assert.Equal(HttpStatusCode.OK, (await Forms.LoginAsync(onB, "nobody@example.org", "wrong password")).StatusCode);
    }
}
