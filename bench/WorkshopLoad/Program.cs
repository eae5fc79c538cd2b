// Workshop load benchmark (issue 4): N participants join a live workshop and score, one projector screen
// listens; reports the time from a score being sent to the screen receiving a results broadcast that
// includes it (p50/p95/p99), and the server's CPU and memory. Starts the built app itself on a fresh
// SQLite file per N (or targets --url with --pid for CPU/memory). Only loopback addresses.
//
//   dotnet build -c Release src/Consultation.Web && dotnet run -c Release --project bench/WorkshopLoad -- --n 50,200,500
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Consultation.Bench;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;

var options = Options.Parse(args);
var rows = new List<string>();
foreach (var n in options.Sizes)
{
    Console.WriteLine($"--- N = {n} ---");
    var result = await Bench.RunAsync(options, n);
    Console.WriteLine(result.Line());
    rows.Add(result.Line());
}
Console.WriteLine();
Console.WriteLine(Result.Header);
foreach (var r in rows) Console.WriteLine(r);

sealed record Options(int[] Sizes, int ScoresPerParticipant, int SpreadSeconds, string? Url, int? Pid, string ServerDll)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var root = FindRoot();
        return new Options(
            (Get("--n") ?? "50,200,500").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(),
            int.Parse(Get("--scores") ?? "6", CultureInfo.InvariantCulture),
            int.Parse(Get("--spread") ?? "10", CultureInfo.InvariantCulture),
            Get("--url"),
            Get("--pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            Get("--server-dll") ?? Path.Combine(root, "src/Consultation.Web/bin/Release/net10.0/Consultation.Web.dll"));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Consultation.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}

sealed record Result(int N, int Scores, int Refused, int Broadcasts, double P50, double P95, double P99, double Max, double ScoresPerSecond, double CpuCores, double PeakRssMb, string LoadAverage)
{
    public const string Header = "| N | scores | refused | screen broadcasts | p50 ms | p95 ms | p99 ms | max ms | scores/s | server CPU (cores, avg) | server peak RSS MB | machine load avg (1 min) |\n|---|---|---|---|---|---|---|---|---|---|---|---|";
    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"| {N} | {Scores} | {Refused} | {Broadcasts} | {P50:0} | {P95:0} | {P99:0} | {Max:0} | {ScoresPerSecond:0} | {CpuCores:0.00} | {PeakRssMb:0} | {LoadAverage} |");
}

static partial class Bench
{
    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="__RequestVerificationToken" """)]
    private static partial Regex TokenRegex();

    [GeneratedRegex("""data-testid="join-code">([A-Z0-9]{6})<""")]
    private static partial Regex JoinCodeRegex();

    public static async Task<Result> RunAsync(Options o, int n)
    {
        var folder = Path.Combine(Path.GetTempPath(), "workshop-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        Process? server = null;
        var baseUrl = o.Url;
        try
        {
            if (baseUrl is null)
            {
                var port = BenchServer.FreePort();
                baseUrl = $"http://127.0.0.1:{port}";
                server = BenchServer.Start(o.ServerDll, baseUrl, folder);
            }
            var pid = server?.Id ?? o.Pid;
            var uri = new Uri(baseUrl);
            await BenchServer.WaitHealthyAsync(uri);

            // Facilitator: sign in, create a workshop with one SOCIAL_TOLERANCE exercise, start it.
            var facilitator = NewClient(uri, out var facilitatorCookies);
            await PostFormAsync(facilitator, "/Account/Login", new() { ["Input.Email"] = "facilitator@demo.local", ["Input.Password"] = "Demo-Password-2027" });
            var roundId = await SeedRoundAsync(server is null ? null : Path.Combine(folder, "consultation.db"), facilitator);
            var created = await PostFormAsync(facilitator, "/Workshops/Create", new()
            {
                ["Input.RoundId"] = roundId.ToString(CultureInfo.InvariantCulture), ["Input.Title"] = $"Load {n}", ["Input.ScheduledOn"] = "2026-12-01",
                ["Input.AccessMode"] = "Pseudonymous", ["Input.Agenda[0].Type"] = "SOCIAL_TOLERANCE",
            });
            var controlUrl = created.Headers.Location!.OriginalString;
            var workshopId = long.Parse(controlUrl.Split('/')[^1].Split('?')[0], CultureInfo.InvariantCulture);
            await PostFormAsync(facilitator, controlUrl, new() { ["command"] = "next" }, controlUrl + "?handler=Act");
            var code = JoinCodeRegex().Match(await facilitator.GetStringAsync(controlUrl)).Groups[1].Value;

            // The projector screen.
            var received = new ConcurrentQueue<(long Version, long At)>();
            await using var screen = new HubConnectionBuilder().WithUrl(new Uri(uri, "/hubs/workshop"), h => h.Cookies = facilitatorCookies).Build();
            screen.On<JsonElement>("results", r => received.Enqueue((r.GetProperty("version").GetInt64(), Stopwatch.GetTimestamp())));
            await screen.StartAsync();
            var watch = await screen.InvokeAsync<JsonElement>("Watch", workshopId, false);
            var items = watch.GetProperty("state").GetProperty("exercise").GetProperty("items").EnumerateArray().Select(e => e.GetString()!).ToArray();
            var exerciseId = watch.GetProperty("state").GetProperty("exercise").GetProperty("id").GetInt64();

            // N participants join (20 at a time, as a room does within a minute or so).
            Console.WriteLine($"joining {n} participants…");
            var participants = new HubConnection[n];
            using (var gate = new SemaphoreSlim(20))
            {
                await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        var http = NewClient(uri, out var cookies);
                        await PostFormAsync(http, $"/join/{code}", new() { ["Input.DisplayName"] = $"P{i}", ["Input.Category"] = "NGO" }, $"/join/{code}?handler=Enter");
                        var hub = new HubConnectionBuilder().WithUrl(new Uri(uri, "/hubs/workshop"), h => h.Cookies = cookies).Build();
                        await hub.StartAsync();
                        await hub.InvokeAsync<JsonElement>("Join", workshopId);
                        participants[i] = hub;
                    }
                    finally { gate.Release(); }
                }));
            }

            // Scoring: every participant sends its scores at random moments within the spread window.
            Console.WriteLine($"scoring: {n} × {o.ScoresPerParticipant} scores over {o.SpreadSeconds} s…");
            var sent = new ConcurrentBag<(long Version, long SentAt)>();
            var refused = 0;
            var cpuBefore = CpuSeconds(pid);
            var wall = Stopwatch.StartNew();
            var peakRss = 0.0;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakRss = Math.Max(peakRss, RssMb(pid));
                    try { await Task.Delay(200, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            await Task.WhenAll(participants.Select(async (hub, i) =>
            {
                var random = new Random(i);
                var times = Enumerable.Range(0, o.ScoresPerParticipant).Select(_ => random.Next(o.SpreadSeconds * 1000)).Order().ToArray();
                var start = wall.ElapsedMilliseconds;
                for (var k = 0; k < times.Length; k++)
                {
                    var wait = times[k] - (wall.ElapsedMilliseconds - start);
                    if (wait > 0) await Task.Delay((int)wait);
                    var at = Stopwatch.GetTimestamp();
                    var ack = await hub.InvokeAsync<JsonElement>("Score", exerciseId, items[k % items.Length], random.Next(1, 6), (int?)null);
                    if (ack.GetProperty("ok").GetBoolean()) sent.Add((ack.GetProperty("version").GetInt64(), at));
                    else Interlocked.Increment(ref refused);
                }
            }));
            var scoringSeconds = wall.Elapsed.TotalSeconds;
            // Other processes on the machine skew every figure: say how busy it was.
            var loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
            var cpu = CpuSeconds(pid) - cpuBefore;
            var maxVersion = sent.Max(s => s.Version);
            var deadline = Stopwatch.StartNew();
            while (!received.Any(r => r.Version >= maxVersion) && deadline.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
            await sampling.CancelAsync();
            await sampler;

            var broadcasts = received.OrderBy(r => r.At).ToArray();
            var latencies = sent.Select(s =>
            {
                var hit = broadcasts.FirstOrDefault(b => b.Version >= s.Version && b.At >= s.SentAt);
                return hit.At == 0 ? double.NaN : Stopwatch.GetElapsedTime(s.SentAt, hit.At).TotalMilliseconds;
            }).Where(double.IsFinite).Order().ToArray();
            if (latencies.Length < sent.Count) Console.WriteLine($"warning: {sent.Count - latencies.Length} scores never reached the screen");

            foreach (var hub in participants) await hub.DisposeAsync();
            return new Result(n, sent.Count, refused, broadcasts.Length, Pct(latencies, 50), Pct(latencies, 95), Pct(latencies, 99), latencies[^1],
                sent.Count / scoringSeconds, cpu / scoringSeconds, peakRss, loadAverage);
        }
        finally
        {
            if (server is not null)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
            SqliteConnection.ClearAllPools();
            BenchServer.DeleteFolders(folder);
        }
    }

    private static double Pct(double[] sorted, int p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static async Task<long> SeedRoundAsync(string? databasePath, HttpClient facilitator)
    {
        if (databasePath is null)
        {
            // Targeting a running server: use the first draft or open round offered on the Create page.
            var html = await facilitator.GetStringAsync("/Workshops/Create");
            return long.Parse(Regex.Match(html, """<option value="(\d+)">""").Groups[1].Value, CultureInfo.InvariantCulture);
        }
        await using var conn = new SqliteConnection($"Data Source={databasePath};Foreign Keys=true");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            INSERT INTO rounds (title, opens_at, closes_at, status, min_organisations, created_at, updated_at)
            VALUES ('Benchmark round', '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'Open', 3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
            INSERT INTO round_crime_areas (round_id, crime_area_code) SELECT (SELECT MAX(id) FROM rounds), code FROM crime_areas WHERE code IN ('DRUGS','THB','CYBER');
            SELECT MAX(id) FROM rounds;
            """;
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static HttpClient NewClient(Uri uri, out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = uri };
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, Dictionary<string, string> fields, string? postUrl = null)
    {
        var html = await client.GetStringAsync(page);
        var m = TokenRegex().Match(html);
        fields["__RequestVerificationToken"] = m.Groups[1].Success && m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : m.Groups[2].Value;
        var response = await client.PostAsync(postUrl ?? page, new FormUrlEncodedContent(fields));
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"POST {postUrl ?? page} returned {(int)response.StatusCode}");
        return response;
    }

    /// <summary>utime + stime of the server process from /proc (Linux), in seconds.</summary>
    private static double CpuSeconds(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat")) return double.NaN;
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static double RssMb(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/status")) return double.NaN;
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
