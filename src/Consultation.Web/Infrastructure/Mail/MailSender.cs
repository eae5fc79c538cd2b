using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Consultation.Web.Infrastructure.Mail;

public sealed record MailMessage(string To, string Subject, string TextBody, string? HtmlBody = null);

/// <summary>
/// Sends mail with MailKit over SMTP; with no SMTP host configured it writes each message as an .eml file
/// (and logs where), so a new installation can follow invitation links without a mail server.
/// </summary>
public sealed class MailSender(IOptions<MailOptions> options, IHostEnvironment env, ILogger<MailSender> logger)
{
    public async Task SendAsync(MailMessage mail, CancellationToken ct = default)
    {
        var o = options.Value;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(o.FromName, o.FromAddress));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        var body = new BodyBuilder { TextBody = mail.TextBody };
        if (mail.HtmlBody is not null) body.HtmlBody = mail.HtmlBody;
        message.Body = body.ToMessageBody();

        if (string.IsNullOrWhiteSpace(o.SmtpHost))
        {
            var dir = Path.IsPathRooted(o.PickupDirectory) ? o.PickupDirectory : Path.Combine(env.ContentRootPath, o.PickupDirectory);
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.eml");
            await message.WriteToAsync(file, ct);
            logger.LogInformation("No SMTP host configured: mail to {To} \"{Subject}\" written to {File}", mail.To, mail.Subject, file);
            return;
        }

        using var client = new SmtpClient();
        var security = o.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        };
        await client.ConnectAsync(o.SmtpHost, o.SmtpPort, security, ct);
        if (!string.IsNullOrEmpty(o.Username)) await client.AuthenticateAsync(o.Username, o.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
        logger.LogInformation("Mail to {To} \"{Subject}\" sent via {Host}", mail.To, mail.Subject, o.SmtpHost);
    }
}
