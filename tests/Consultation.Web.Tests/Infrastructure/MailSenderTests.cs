using Consultation.Web.Infrastructure.Mail;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>
/// <see cref="MailSender.SendManyAsync"/> against a real SMTP server (aiosmtpd): a large batch goes over several
/// connections at once, every message exactly once, and each message's outcome stays at its place in the result.
/// </summary>
public sealed class MailSenderTests
{
    private static MailSender Sender(int port, int connections) => new(
        Options.Create(new MailOptions { SmtpHost = "127.0.0.1", SmtpPort = port, Security = SmtpSecurity.None, Connections = connections }),
        new HostingEnvironment { ContentRootPath = Path.GetTempPath() }, NullLogger<MailSender>.Instance);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_large_batch_arrives_once_each_and_a_refused_message_is_reported_at_its_place(int connections)
    {
        await using var peer = await SmtpPeer.StartAsync();
        var run = Guid.NewGuid().ToString("N")[..8];
        var mails = Enumerable.Range(0, 130)
            .Select(i => new MailMessage(i == 77 ? "not an address" : $"batch{i % 3}@example.org", $"{run} message {i}", $"Body {i}"))
            .ToList();

        var results = await Sender(peer.Port, connections).SendManyAsync(mails);

        Assert.Equal(mails.Count, results.Count);
        Assert.NotNull(results[77]);
        Assert.All(results.Where((_, i) => i != 77), Assert.Null);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<string> subjects;
        do
        {
            subjects = peer.Messages().Select(m => m.Subject ?? "").Where(s => s.StartsWith(run, StringComparison.Ordinal)).ToList();
            if (subjects.Count >= mails.Count - 1) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal(mails.Where((_, i) => i != 77).Select(m => m.Subject).Order(), subjects.Order());
    }

    [Fact]
    public async Task A_batch_for_an_absent_server_throws_as_one_connection_would()
    {
        var mails = Enumerable.Range(0, 120).Select(i => new MailMessage("nobody@example.org", $"message {i}", "Body")).ToList();
        await Assert.ThrowsAnyAsync<Exception>(() => Sender(SmtpPeer.FreePort(), 4).SendManyAsync(mails));
    }
}
