using System.Net;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.HttpOverrides;
using StackExchange.Redis;

namespace Consultation.Web.Infrastructure.ScaleOut;

/// <summary>Redis settings for several instances (section <c>Redis</c>); without a configuration the portal runs as one instance.</summary>
public sealed class RedisSettings
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c> or <c>redis.internal:6379,password=…,ssl=true</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every SignalR channel, so several portals (or test runs) can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "consultation";
}

/// <summary>Reverse-proxy headers (section <c>ForwardedHeaders</c>): honoured only from the proxies listed here.</summary>
public sealed class ProxySettings
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of the reverse proxies, e.g. <c>10.0.0.5</c>. Loopback is always trusted.</summary>
    public IList<string> KnownProxies { get; init; } = [];

    /// <summary>Networks of the reverse proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public IList<string> KnownNetworks { get; init; } = [];

    /// <summary>How many proxies in a row may add to X-Forwarded-For.</summary>
    public int ForwardLimit { get; set; } = 1;
}

public static class ScaleOutExtensions
{
    /// <summary>
    /// What several instances behind one database need besides it: the SignalR Redis backplane (when
    /// <c>Redis:Configuration</c> is set), the job lease, and trusted reverse-proxy headers.
    /// </summary>
    public static IServiceCollection AddPortalScaleOut(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(sp => new JobLease(sp.GetRequiredService<Db>(), sp.GetRequiredService<TimeProvider>(), JobLease.ThisInstance));

        var redis = config.GetSection(RedisSettings.Section).Get<RedisSettings>() ?? new RedisSettings();
        if (!string.IsNullOrWhiteSpace(redis.Configuration))
        {
            services.AddSignalR().AddStackExchangeRedis(redis.Configuration, o =>
                o.Configuration.ChannelPrefix = RedisChannel.Literal(redis.ChannelPrefix));
        }

        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>((o, cfg) =>
            Apply(o, cfg.GetSection(ProxySettings.Section).Get<ProxySettings>() ?? new ProxySettings()));
        return services;
    }

    /// <summary>Known proxies and networks from configuration; a bad address stops the start with a clear message.</summary>
    public static void Apply(ForwardedHeadersOptions options, ProxySettings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.ForwardLimit = settings.ForwardLimit;
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var ip) ? ip
                : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies has '{proxy}', which is not an IP address."));
        }
        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var n) ? n
                : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks has '{network}', which is not a network in CIDR notation."));
        }
    }
}
