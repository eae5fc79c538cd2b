// Shared by the load benchmarks (linked into bench/SubmitLoad and bench/WorkshopLoad): starts the Release build of
// the portal on loopback against a fresh database, waits until it answers, and — for runs on PostgreSQL — a
// throw-away cluster that is stopped and deleted afterwards.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Consultation.Bench;

public static class BenchServer
{
    /// <summary>
    /// Starts the portal at <paramref name="url"/> in Development (which seeds the demo round, respondent and facilitator),
    /// with its SQLite file, keys and mail pickup folder in <paramref name="folder"/>; <paramref name="settings"/> adds
    /// or overrides configuration (e.g. the database provider). The sign-in limit is raised because every client
    /// shares 127.0.0.1. The server's error output is echoed, prefixed "server: ".
    /// </summary>
    public static Process Start(string dll, string url, string folder, IReadOnlyDictionary<string, string>? settings = null)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build the app first: dotnet build -c Release src/Consultation.Web ({dll} not found)");
        var psi = new ProcessStartInfo("dotnet", [dll, "--urls", url])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["Database__SqlitePath"] = Path.Combine(folder, "consultation.db");
        psi.Environment["DataProtection__KeysDirectory"] = Path.Combine(folder, "keys");
        psi.Environment["RateLimits__SensitivePostsPerMinute"] = "100000";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Mail__PickupDirectory"] = MailFolder(folder);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>
    /// Where the server writes its mail (.eml files, no SMTP host): in memory (/dev/shm) where there is one. Tens of
    /// thousands of receipts in one folder on this VM's ext4 made the kernel's inode allocation a large part of the
    /// server's CPU — the disk's cost, not the portal's; a deployment sends mail to an SMTP server.
    /// </summary>
    public static string MailFolder(string folder) =>
        Directory.Exists("/dev/shm") ? Path.Combine("/dev/shm", Path.GetFileName(folder) + "-mail") : Path.Combine(folder, "mail");

    /// <summary>Deletes the run's folder and its mail folder.</summary>
    public static void DeleteFolders(string folder)
    {
        foreach (var dir in new[] { MailFolder(folder), folder })
        {
            try { if (Directory.Exists(dir)) Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>Polls /healthz every 200 ms for up to a minute.</summary>
    public static async Task WaitHealthyAsync(Uri uri)
    {
        using var http = new HttpClient { BaseAddress = uri };
        for (var i = 0; i < 300; i++)
        {
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return; } catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("The server did not become healthy.");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>
/// A throw-away PostgreSQL cluster on 127.0.0.1 (Debian's newest installed server, run as the postgres user as
/// /work/pg-up.sh does): fsync and synchronous commit stay on, so an acknowledged write is as durable as in
/// production. Disposing stops it and deletes its folder.
/// </summary>
public sealed class ThrowAwayPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dir;

    private ThrowAwayPostgres(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Maximum Pool Size=100";
    }

    public string ConnectionString { get; }

    public static async Task<ThrowAwayPostgres> StartAsync(int port, string dir)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var major) ? major : 0).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql).");
        if (Directory.Exists(dir)) throw new InvalidOperationException($"{dir} exists: a previous run was not cleaned up; stop it and delete the folder.");
        Directory.CreateDirectory(dir);
        await RunAsync("chown", "postgres", dir);
        var pg = new ThrowAwayPostgres(bin, dir, port);
        await RunAsPostgresAsync(Path.Combine(bin, "initdb"), "-D", Path.Combine(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale");
        await RunAsPostgresAsync(Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(dir, "data"), "-l", Path.Combine(dir, "server.log"), "-w",
            "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {dir} -c max_connections=300", "start");
        return pg;
    }

    public async ValueTask DisposeAsync()
    {
        try { await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_dir, "data"), "-m", "fast", "-w", "stop"); }
        finally { Directory.Delete(_dir, true); }
    }

    private static Task RunAsPostgresAsync(params string[] args) => RunAsync("runuser", ["-u", "postgres", "--", .. args]);

    private static async Task RunAsync(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await error}{await output}");
    }
}
