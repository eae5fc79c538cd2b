using Microsoft.AspNetCore.SignalR;
using System.ComponentModel.DataAnnotations;

namespace Consultation.Web.Workshops;

public sealed class WorkshopsOptions
{
    public const string Section = "Workshops";

    /// <summary>How often pending live updates are flushed to screens and facilitators (coalescing window).</summary>
    [Range(20, 5000)]
    public int BroadcastIntervalMs { get; set; } = 250;

    /// <summary>Unknown join codes one client address may try per minute before it gets 429.</summary>
    [Range(1, 100_000)]
    public int JoinCodeFailuresPerMinute { get; set; } = 10;

    /// <summary>How long a participant's browser keeps its identity (the cookie's lifetime).</summary>
    [Range(1, 30)]
    public int ParticipantCookieDays { get; set; } = 2;
}

public static class WorkshopsExtensions
{
    public const string HubPath = "/hubs/workshop";

    /// <summary>Live workshops: SignalR, the coalescing broadcaster, join-code guessing limits.</summary>
    public static IServiceCollection AddWorkshops(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<WorkshopsOptions>().Bind(config.GetSection(WorkshopsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSignalR(o => o.AddFilter<TransientDatabaseHubFilter>());
        // Redis (when configured) carries the SignalR backplane (see AddPortalScaleOut) and who is connected where.
        services.AddSingleton(sp => new WorkshopPresence(config["Redis:Configuration"], config["Redis:ChannelPrefix"] is { Length: > 0 } p ? p : "consultation",
            sp.GetRequiredService<ILogger<WorkshopPresence>>()));
        services.AddSingleton<WorkshopLive>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkshopLive>());
        services.AddSingleton<JoinCodeGuard>();
        return services;
    }

    /// <summary>The hub admits anyone to connect: participants are anonymous; each method checks who may call it.</summary>
    public static WebApplication MapWorkshops(this WebApplication app)
    {
        app.MapHub<WorkshopHub>(HubPath).AllowAnonymous();
        return app;
    }
}
