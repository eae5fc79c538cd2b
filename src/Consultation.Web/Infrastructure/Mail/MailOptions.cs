using System.ComponentModel.DataAnnotations;

namespace Consultation.Web.Infrastructure.Mail;

public enum SmtpSecurity { Auto, None, StartTls, SslOnConnect }

public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>SMTP host. Empty (the default): messages are written as .eml files into <see cref="PickupDirectory"/>.</summary>
    public string? SmtpHost { get; set; }
    [Range(1, 65535)] public int SmtpPort { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
    public string? Username { get; set; }
    public string? Password { get; set; }
    [Required, EmailAddress] public string FromAddress { get; set; } = "consultation@localhost";
    public string FromName { get; set; } = "Consultation";
    /// <summary>
    /// SMTP connections the outbox uses at once for a large batch (a busy round's receipts): each message costs round
    /// trips to the server, so a single connection is bounded by its latency. Relays limit connections per client
    /// (Postfix: 50 by default); a few is plenty.
    /// </summary>
    [Range(1, 16)] public int Connections { get; set; } = 4;
    /// <summary>Where .eml files go when no SMTP host is set; relative to the content root.</summary>
    public string PickupDirectory { get; set; } = "data/mail";
}
