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
        if ((await SendManyAsync([mail], ct))[0] is { } error) throw error;
    }

    /// <summary>Messages a connection takes at least before another connection is opened for the rest.</summary>
    public const int MessagesPerConnection = 25;

    /// <summary>
    /// Sends several messages to the mail server: over one connection, or for a larger batch over up to
    /// <see cref="MailOptions.Connections"/> connections at once, each taking a consecutive share (a message costs two
    /// round trips to the server, so one connection is bounded by the latency, not the CPU). When no connection can be
    /// made (server away, authentication refused) it throws; a message the server refuses, or whose connection failed
    /// while others went through, gets its exception in the result, in order, and the others still go.
    /// </summary>
    public async Task<IReadOnlyList<Exception?>> SendManyAsync(IReadOnlyList<MailMessage> mails, CancellationToken ct = default)
    {
        var o = options.Value;
        if (string.IsNullOrWhiteSpace(o.SmtpHost) || mails.Count < 2 * MessagesPerConnection || o.Connections <= 1)
            return await SendOverOneAsync(o, mails, ct);

        var connections = Math.Min(o.Connections, mails.Count / MessagesPerConnection);
        var share = (mails.Count + connections - 1) / connections;
        var parts = mails.Chunk(share).ToList();
        var sent = await Task.WhenAll(parts.Select(async part =>
        {
            try
            {
                return (Results: await SendOverOneAsync(o, part, ct), Failure: (Exception?)null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (Results: (IReadOnlyList<Exception?>)part.Select(_ => (Exception?)ex).ToList(), Failure: ex);
            }
        }));
        if (sent.All(p => p.Failure is not null)) throw sent[0].Failure!;
        // A share whose connection failed while others went through (a relay allowing fewer connections at once,
        // "421 too many connections") is tried once more, now that the others are closed, before its messages count a
        // failed attempt.
        for (var i = 0; i < sent.Length; i++)
        {
            if (sent[i].Failure is null) continue;
            try
            {
                sent[i] = (await SendOverOneAsync(o, parts[i], ct), null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "A second SMTP connection to {Host} failed; {Count} messages wait for their next attempt", o.SmtpHost, parts[i].Length);
            }
        }
        return sent.SelectMany(p => p.Results).ToList();
    }

    private async Task<IReadOnlyList<Exception?>> SendOverOneAsync(MailOptions o, IReadOnlyList<MailMessage> mails, CancellationToken ct)
    {
        var results = new Exception?[mails.Count];
        if (mails.Count == 0) return results;
        if (string.IsNullOrWhiteSpace(o.SmtpHost))
        {
            var dir = Path.IsPathRooted(o.PickupDirectory) ? o.PickupDirectory : Path.Combine(env.ContentRootPath, o.PickupDirectory);
            Directory.CreateDirectory(dir);
            foreach (var mail in mails)
            {
                var file = Path.Combine(dir, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.eml");
                await Build(o, mail).WriteToAsync(file, ct);
                logger.LogInformation("No SMTP host configured: mail to {To} \"{Subject}\" written to {File}", mail.To, mail.Subject, file);
            }
            return results;
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
        for (var i = 0; i < mails.Count; i++)
        {
            try
            {
                await client.SendAsync(Build(o, mails[i]), ct);
                logger.LogInformation("Mail to {To} \"{Subject}\" sent via {Host}", mails[i].To, mails[i].Subject, o.SmtpHost);
            }
            catch (Exception ex) when (ex is SmtpCommandException or ParseException or FormatException)
            {
                // This message only (e.g. a recipient the server refuses); the connection stays usable.
                results[i] = ex;
            }
        }
        await client.DisconnectAsync(true, ct);
        return results;
    }

    private static MimeMessage Build(MailOptions o, MailMessage mail)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(o.FromName, o.FromAddress));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        var body = new BodyBuilder { TextBody = mail.TextBody };
        if (mail.HtmlBody is not null) body.HtmlBody = mail.HtmlBody;
        message.Body = body.ToMessageBody();
        return message;
    }
}
