namespace Consultation.Web.Rounds;

public static class CoordinationExtensions
{
    /// <summary>The coordinator's side of a round: invitation and reminder mail, and the automatic reminder service.</summary>
    public static IServiceCollection AddCoordination(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<RemindersOptions>().Bind(config.GetSection(RemindersOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<RoundMailer>();
        services.AddSingleton<ReminderService>();
        services.AddHostedService(sp => sp.GetRequiredService<ReminderService>());
        return services;
    }
}
