using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Consultation.Web.Tests.Operations;

/// <summary>
/// The built app (<c>dotnet Consultation.Web.dll --urls …</c>) as a separate process on a database folder, so a
/// test can do to it what an operator's machine does: SIGKILL it, stop it, start it again on the same file.
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public PortalProcess(string folder, int port = 0)
    {
        Folder = folder;
        Port = port == 0 ? FreePort() : port;
    }

    public string Folder { get; }
    public int Port { get; }
    public string DatabasePath => Path.Combine(Folder, "consultation.db");
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last lines the server wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output.TakeLast(40));

    /// <summary>What every run of the binary on <paramref name="databasePath"/> gets: Development, mail to files, logs at warning.</summary>
    private static void Configure(ProcessStartInfo psi, string folder, string databasePath)
    {
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["Database__SqlitePath"] = databasePath;
        psi.Environment["DataProtection__KeysDirectory"] = Path.Combine(folder, "keys");
        psi.Environment["Mail__SmtpHost"] = "";
        psi.Environment["Mail__PickupDirectory"] = Path.Combine(folder, "mail");
        psi.Environment["RateLimits__SensitivePostsPerMinute"] = "100000"; // 50 people sign in from one address
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
    }

    private static ProcessStartInfo StartInfo(string folder, string databasePath, IEnumerable<string> args)
    {
        var dll = PortalCommand.WebDll();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            // The content root: appsettings.json and the static web assets manifest sit beside the binary.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        Configure(psi, folder, databasePath);
        return psi;
    }

    /// <summary>Starts the server and waits until <c>/healthz</c> answers.</summary>
    public async Task StartAsync()
    {
        Directory.CreateDirectory(Folder);
        var psi = StartInfo(Folder, DatabasePath, ["--urls", $"http://127.0.0.1:{Port}"]);
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) Assert.Fail($"The server exited with {process.ExitCode} while starting:\n{Output}");
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (waited.Elapsed > TimeSpan.FromSeconds(90)) Assert.Fail($"The server did not answer /healthz within 90 s:\n{Output}");
            await Task.Delay(100);
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    /// <summary>SIGKILL: no shutdown, no flush, no disposal — what a power cut or the OOM killer does to the process.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } p) return;
        p.Kill(); // SIGKILL on Unix
        await p.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the orderly stop a service manager does (`systemctl stop`).</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } p) return;
        // The shell's own kill: no dependency on procps.
        using (var kill = Process.Start("/bin/sh", ["-c", "kill -TERM " + p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(cts.Token);
    }

    /// <summary>Runs an operator command of the binary (<c>backup --to FILE</c>, <c>migrate</c>) on <paramref name="databasePath"/>.</summary>
    public static async Task<(int Exit, string Out, string Err)> CommandAsync(string folder, string databasePath, params string[] args)
    {
        using var p = Process.Start(StartInfo(folder, databasePath, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } p)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
            p.Dispose();
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
