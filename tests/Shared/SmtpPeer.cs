using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Consultation.Testing;

/// <summary>
/// A real SMTP server for tests: Debian's aiosmtpd storing every message in a Maildir. Started per fixture,
/// stopped on dispose.
/// </summary>
public sealed class SmtpPeer : IAsyncDisposable
{
    private readonly Process _process;
    public int Port { get; }
    public string Maildir { get; }

    private SmtpPeer(Process process, int port, string maildir)
    {
        _process = process;
        Port = port;
        Maildir = maildir;
    }

    /// <summary>Starts the peer on <paramref name="port"/> (a free one when null).</summary>
    public static async Task<SmtpPeer> StartAsync(int? port = null)
    {
        var listen = port ?? FreePort();
        var maildir = Path.Combine(Path.GetTempPath(), "consultation-mail-" + Guid.NewGuid().ToString("N"));
        // aiosmtpd's Mailbox creates the Maildir sub-folders only when the folder itself is new: make all three.
        foreach (var sub in new[] { "new", "cur", "tmp" }) Directory.CreateDirectory(Path.Combine(maildir, sub));
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{listen}", "-c", "aiosmtpd.handlers.Mailbox", maildir])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start aiosmtpd (apt-get install python3-aiosmtpd).");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException("aiosmtpd exited: " + await process.StandardError.ReadToEndAsync());
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, listen);
                return new SmtpPeer(process, listen, maildir);
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        process.Kill(true);
        throw new TimeoutException("aiosmtpd did not start listening.");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public IReadOnlyList<MimeMessage> Messages()
    {
        var dir = Path.Combine(Maildir, "new");
        if (!Directory.Exists(dir)) return [];
        return Directory.GetFiles(dir).OrderBy(File.GetLastWriteTimeUtc).Select(f => MimeMessage.Load(f)).ToList();
    }

    /// <summary>Waits for the newest message to <paramref name="to"/> matching <paramref name="where"/>.</summary>
    public async Task<MimeMessage> WaitForMessageAsync(string to, Func<MimeMessage, bool>? where = null, int afterCount = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            var match = Messages()
                .Where(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, to, StringComparison.OrdinalIgnoreCase)))
                .Where(m => where is null || where(m))
                .Skip(afterCount)
                .LastOrDefault();
            if (match is not null) return match;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No mail to {to} arrived at the SMTP peer.");
    }

    public int CountTo(string to) =>
        Messages().Count(m => m.To.Mailboxes.Any(b => string.Equals(b.Address, to, StringComparison.OrdinalIgnoreCase)));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(Maildir, true); } catch (IOException) { }
    }
}
