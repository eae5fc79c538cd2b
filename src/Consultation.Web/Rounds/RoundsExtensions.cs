using System.ComponentModel.DataAnnotations;
using Consultation.Web.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Consultation.Web.Rounds;

public sealed class RoundsOptions
{
    public const string Section = "Rounds";

    /// <summary>How often the background pass looks for open rounds past their closing time.</summary>
    [Range(1, 3600)]
    public int AutoCloseIntervalSeconds { get; set; } = 30;

    /// <summary>Largest autosave or submission body of one response, in bytes (then 413).</summary>
    [Range(16 * 1024, 50_000_000)]
    public int MaxAnswerBytes { get; set; } = 1024 * 1024;
}

public static class RoundsExtensions
{
    /// <summary>Rounds and questionnaires: options, the rich-text sanitizer and the auto-close background service.</summary>
    public static IServiceCollection AddRounds(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<RoundsOptions>().Bind(config.GetSection(RoundsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<RichText>();
        services.AddSingleton<RoundAutoCloser>();
        services.AddHostedService(sp => sp.GetRequiredService<RoundAutoCloser>());
        return services;
    }
}
