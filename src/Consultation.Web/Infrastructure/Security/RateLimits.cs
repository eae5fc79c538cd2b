using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;


namespace Consultation.Web.Infrastructure.Security;

public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>POSTs per client address per minute to login, password reset and invitation acceptance.</summary>
    [Range(1, 100_000)]
    public int SensitivePostsPerMinute { get; set; } = 10;
}

/// <summary>Throttles the credential-guessing surfaces by client address. Only POSTs count: reading the form is free.</summary>
public static class RateLimits
{
    public const string Sensitive = "sensitive";

    public static IServiceCollection AddPortalRateLimits(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<RateLimitOptions>().Bind(config.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        // Counted across instances through Redis when it is configured (the SignalR backplane's), else per instance.
        services.AddSingleton(sp => new SharedRateCounter(config["Redis:Configuration"],
            config["Redis:ChannelPrefix"] is { Length: > 0 } prefix ? prefix : "consultation",
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SharedRateCounter>>()));
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Sensitive, context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method)) return RateLimitPartition.GetNoLimiter("read");
                var limit = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.SensitivePostsPerMinute;
                var key = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return SharedWindowLimiter.Partition(context, Sensitive, key, limit, TimeSpan.FromMinutes(1));
            });
            o.OnRejected = async (ctx, ct) =>
            {
                var L = ctx.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
                ctx.HttpContext.Response.Headers.RetryAfter = "60";
                ctx.HttpContext.Response.ContentType = "text/html; charset=utf-8";
                var title = System.Net.WebUtility.HtmlEncode(L["Too many attempts"]);
                var body = System.Net.WebUtility.HtmlEncode(L["Too many attempts from your address. Please wait a minute and try again."]);
                var back = System.Net.WebUtility.HtmlEncode(L["Back to the portal"]);
                await ctx.HttpContext.Response.WriteAsync(
                    $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>" +
                    $"<link rel=\"stylesheet\" href=\"/lib/bootstrap/bootstrap.min.css\"></head><body class=\"container py-5\"><h1>{title}</h1><p>{body}</p>" +
                    $"<p><a href=\"/\">{back}</a></p></body></html>", ct);
            };
        });
        return services;
    }
}
