// Shared by the load benchmarks: the mail server the portal sends to during a run. A deployment sends its mail to an
// SMTP relay on another machine; writing every receipt as a file into a pickup folder (the portal's fallback when no
// SMTP host is configured) is not what it does. This sink speaks just enough SMTP (EHLO with PIPELINING and 8BITMIME,
// MAIL, RCPT, DATA, RSET, NOOP, QUIT) to take the portal's messages, counts them and throws them away. It runs in the
// generator's process on loopback, so its CPU is on the same two cores as everything else in the run.
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Consultation.Bench;

public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _messages;

    private SmtpSink()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public static SmtpSink Start() => new();

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Messages accepted so far.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>The portal's configuration for this sink (no TLS on loopback).</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Mail:SmtpHost"] = "127.0.0.1", ["Mail:SmtpPort"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Mail:Security"] = "None",
    };

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        // Each answer goes out at once: with Nagle's algorithm the answers wait for the client's delayed
        // acknowledgements (tens of milliseconds each).
        client.NoDelay = true;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1, false, 64 * 1024);
            await using var writer = new StreamWriter(stream, Encoding.ASCII, 4096) { NewLine = "\r\n", AutoFlush = false };
            await writer.WriteLineAsync("220 sink ESMTP");
            await writer.FlushAsync();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-sink");
                        await writer.WriteLineAsync("250-PIPELINING");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 sink");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                        await writer.FlushAsync();
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".") { }
                        Interlocked.Increment(ref _messages);
                        await writer.WriteLineAsync("250 queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        await writer.FlushAsync();
                        return;
                    default:
                        // MAIL, RCPT, RSET, NOOP: accepted.
                        await writer.WriteLineAsync("250 ok");
                        break;
                }
                await writer.FlushAsync();
            }
        }
        catch (IOException) { }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
