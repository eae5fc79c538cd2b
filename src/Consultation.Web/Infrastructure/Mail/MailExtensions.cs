namespace Consultation.Web.Infrastructure.Mail;

public static class MailExtensions
{
    public static IServiceCollection AddPortalMail(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<MailOptions>().Bind(config.GetSection(MailOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MailSender>();
        return services;
    }
}
