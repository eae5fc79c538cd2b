namespace Consultation.Web.Infrastructure.Mail;

public static class MailExtensions
{
    public static IServiceCollection AddPortalMail(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<MailOptions>().Bind(config.GetSection(MailOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        // Links in mail: on the portal's public address (PublicLinks).
        services.AddOptions<PortalOptions>().Bind(config.GetSection(PortalOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PublicLinks>();
        services.AddSingleton<MailSender>();
        services.AddSingleton<MailOutbox>();
        services.AddSingleton<MailOutboxSender>();
        services.AddHostedService(sp => sp.GetRequiredService<MailOutboxSender>());
        return services;
    }
}
