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

    /// <summary>
    /// A relay that takes one connection at a time and turns others away ("421"), as relays limiting connections per
    /// client do: the shares refused in the parallel pass are sent once the other connections are closed.
    /// </summary>
    [Fact]
    public async Task Shares_a_relay_turned_away_are_sent_once_the_other_connections_are_closed()
    {
        await using var relay = new OneConnectionRelay();
        var mails = Enumerable.Range(0, 120).Select(i => new MailMessage("limited@example.org", $"limited {i}", "Body")).ToList();

        var results = await Sender(relay.Port, 4).SendManyAsync(mails);

        Assert.All(results, Assert.Null);
        Assert.True(relay.TurnedAway > 0, "the relay never had two connections at once");
        Assert.Equal(mails.Select(m => m.Subject).Order(), relay.Subjects.Order());
    }

    /// <summary>Just enough SMTP for MailKit, one session at a time; the subjects it took, in any order.</summary>
    private sealed class OneConnectionRelay : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _subjects = new();
        private int _active;
        private int _turnedAway;

        public OneConnectionRelay()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;
        public int TurnedAway => Volatile.Read(ref _turnedAway);
        public IReadOnlyList<string> Subjects => [.. _subjects];

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                System.Net.Sockets.TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(System.Net.Sockets.TcpClient client)
        {
            using var _ = client;
            client.NoDelay = true;
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            await using var writer = new StreamWriter(stream, System.Text.Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            var first = Interlocked.Increment(ref _active) == 1;
            var held = true;
            try
            {
                if (!first)
                {
                    Interlocked.Increment(ref _turnedAway);
                    await writer.WriteLineAsync("421 too many connections from your address");
                    return;
                }
                await writer.WriteLineAsync("220 relay ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                    if (verb == "EHLO") await writer.WriteLineAsync("250-relay\r\n250 8BITMIME");
                    else if (verb == "DATA")
                    {
                        await writer.WriteLineAsync("354 go on");
                        string? subject = null;
                        while (await reader.ReadLineAsync() is { } data && data != ".")
                            if (subject is null && data.StartsWith("Subject: ", StringComparison.Ordinal)) subject = data["Subject: ".Length..];
                        _subjects.Enqueue(subject ?? "");
                        await writer.WriteLineAsync("250 queued");
                    }
                    else if (verb == "QUIT")
                    {
                        Interlocked.Decrement(ref _active);
                        held = false;
                        await writer.WriteLineAsync("221 bye");
                        return;
                    }
                    else await writer.WriteLineAsync("250 ok");
                }
            }
            catch (IOException) { }
            finally
            {
                if (held) Interlocked.Decrement(ref _active);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
