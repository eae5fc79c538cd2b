using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Consultation.Testing;

/// <summary>
/// A real Redis for tests: Debian's <c>redis-server</c> on a free loopback port, nothing persisted, killed on
/// dispose. A machine without it fails the test with the command that installs it (test.sh does).
/// </summary>
public sealed class RedisPeer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/redis-server";

    private readonly Process _process;
    private readonly string _folder;

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration string for <c>Redis:Configuration</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    private RedisPeer(Process process, int port, string folder)
    {
        _process = process;
        Port = port;
        _folder = folder;
    }

    public static async Task<RedisPeer> StartAsync()
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"{Executable} is missing: install it with `apt-get install redis-server` (test.sh installs it).");
        var port = SmtpPeer.FreePort();
        var folder = Path.Combine(Path.GetTempPath(), "consultation-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = folder,
        };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start redis-server.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}.");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return new RedisPeer(process, port, folder);
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        process.Kill(true);
        throw new TimeoutException("redis-server did not start listening.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }
}
