// Submission load benchmark (issue 6, "Load benchmarks"): authenticated autosaves and submissions against the
// Release build of the portal, each beside a minimal endpoint (/healthz) of the same server in the same run.
//   (a) saturation: C connections (one signed-in respondent each) send as fast as the answers come back;
//   (b) open loop: a fixed offered rate, kept whatever the latency; latency counted from the scheduled send time
//       (no coordinated omission).
// Reports throughput, p50/p95/p99/max, the server's CPU and peak working set (VmRSS from /proc) per run, and the
// machine's load average. Starts the server itself on a fresh SQLite file; only loopback addresses.
//
//   dotnet build -c Release src/Consultation.Web
//   dotnet run -c Release --project bench/SubmitLoad -- [--respondents 200] [--connections 200] [--seconds 15]
//       [--rate 1000] [--open-seconds 15] [--only save,submit] [--smoke] [--postgres]
// --postgres runs the server with Database:Provider=Postgres against a throw-away cluster on 127.0.0.1:55434 (data in
// /tmp/load-pg, fsync and synchronous commit on), stopped and deleted at the end; needs root (runs initdb as postgres).
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Consultation.Bench;
using Microsoft.Data.Sqlite;
using Npgsql;

var options = Options.Parse(args);
return await Bench.RunAsync(options);

sealed record Options(int Respondents, int Connections, int Seconds, int WarmupSeconds, int Rate, int OpenSeconds, string[] Only, bool Smoke, string ServerDll, bool Postgres)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var smoke = args.Contains("--smoke");
        var connections = Int("--connections", smoke ? 10 : 200);
        return new Options(
            Math.Max(connections, Int("--respondents", smoke ? 10 : 200)),
            connections,
            Int("--seconds", smoke ? 2 : 15),
            Int("--warmup", smoke ? 1 : 3),
            Int("--rate", smoke ? 100 : 1000),
            Int("--open-seconds", smoke ? 2 : 15),
            (Get("--only") ?? "save,submit").Split(','),
            smoke,
            Get("--server-dll") ?? Path.Combine(FindRoot(), "src/Consultation.Web/bin/Release/net10.0/Consultation.Web.dll"),
            args.Contains("--postgres"));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Consultation.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>One measured run: a kind of request under one load shape.</summary>
sealed record Result(string Name, string Load, long Ok, long Errors, double PerSecond, double P50, double P95, double P99, double Max,
    double CpuCores, double PeakRssMb, string LoadAverage, string Note)
{
    /// <summary>Server CPU time per answered request: less sensitive to other work on the machine than throughput.</summary>
    public double CpuMsPerRequest => PerSecond > 0 ? CpuCores * 1000 / PerSecond : double.NaN;

    public const string Header =
        "| run | load | ok | errors | ok/s | p50 ms | p95 ms | p99 ms | max ms | server CPU (cores) | server CPU ms per request | server peak working set MB | load avg (1 min, start → end) |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {Load} | {Ok} | {Errors}{Note} | {PerSecond:0} | {P50:0.0} | {P95:0.0} | {P99:0.0} | {Max:0.0} | {CpuCores:0.00} | {CpuMsPerRequest:0.00} | {PeakRssMb:0} | {LoadAverage} |");
}

/// <summary>A signed-in respondent: its own connection, cookie, antiforgery token and the revision it last saw.</summary>
sealed class Respondent(HttpClient http, string cookie, string token)
{
    public HttpClient Http { get; } = http;
    public string Cookie { get; } = cookie;
    public string Token { get; } = token;
    public long Revision { get; set; }
    public bool Quiet { get; set; }
}

static partial class Bench
{
    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="__RequestVerificationToken" """)]
    private static partial Regex TokenRegex();

    [GeneratedRegex("data-state=\"([^\"]*)\"")]
    private static partial Regex StateRegex();

    private const string Password = "Demo-Password-2027";
    private const int PostgresPort = 55434;
    private const string PostgresFolder = "/tmp/load-pg";
    private static int _reported;
    /// <summary>Submissions acknowledged (each owes a receipt).</summary>
    private static long _submitted;
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<int> RunAsync(Options o)
    {
        var folder = Path.Combine(Path.GetTempPath(), "submit-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = BenchServer.FreePort();
        var uri = new Uri($"http://127.0.0.1:{port}");
        await using var postgres = o.Postgres ? await ThrowAwayPostgres.StartAsync(PostgresPort, PostgresFolder) : null;
        // The receipts go to an SMTP server, as in a deployment (bench/Shared/SmtpSink.cs).
        await using var smtp = SmtpSink.Start();
        var settings = new Dictionary<string, string>(smtp.Settings);
        if (postgres is not null)
        {
            settings["Database:Provider"] = "Postgres";
            settings["Database:ConnectionString"] = postgres.ConnectionString;
        }
        var server = BenchServer.Start(o.ServerDll, uri.ToString().TrimEnd('/'), folder, settings);
        var results = new List<Result>();
        var receipts = "";
        (double PerSecond, double DrainSeconds)? withReceipts = null;
        try
        {
            await BenchServer.WaitHealthyAsync(uri);
            DbConnection seeding = postgres is null
                ? new SqliteConnection($"Data Source={Path.Combine(folder, "consultation.db")};Foreign Keys=true;Pooling=false")
                : new NpgsqlConnection(postgres.ConnectionString + ";Pooling=false");
            var (questionnaireId, answers) = await SeedRespondentsAsync(seeding, o.Respondents);
            Console.WriteLine($"signing in {o.Respondents} respondents and opening their responses…");
            var respondents = await SignInAllAsync(uri, questionnaireId, answers, o.Respondents);
            var healthClients = Enumerable.Range(0, o.Connections).Select(_ => NewLoadClient(uri)).ToArray();
            var saveUrl = $"/Respond/Form/{questionnaireId}/save";
            var submitUrl = $"/Respond/Form/{questionnaireId}/submit";

            Func<Respondent, HttpRequestMessage> Save = r => JsonPost(r, saveUrl,
                $$"""{"data":{{answers}},"currentPage":1,"revision":{{r.Revision}}}""");
            Func<Respondent, HttpRequestMessage> Submit = r => JsonPost(r, submitUrl,
                $$"""{"data":{{answers}},"currentPage":1,"revision":{{r.Revision}},"idempotencyKey":"{{Guid.NewGuid():N}}"}""");

            var saturated = respondents.Take(o.Connections).ToArray();
            Func<CancellationToken, Task<bool>>[] Health() => healthClients.Select(c => (Func<CancellationToken, Task<bool>>)(ct => GetOkAsync(c, "/healthz", ct))).ToArray();
            Func<CancellationToken, Task<bool>>[] Of(IEnumerable<Respondent> rs, Func<Respondent, HttpRequestMessage> build) =>
                rs.Select(r => (Func<CancellationToken, Task<bool>>)(ct => SendAsync(r, build, ct))).ToArray();

            results.Add(Print(await SaturateAsync("/healthz", o, server.Id, Health())));
            if (o.Only.Contains("save"))
                results.Add(Print(await SaturateAsync("autosave", o, server.Id, Of(saturated, Save))));
            if (o.Only.Contains("submit"))
            {
                var run = Print(await SaturateAsync("submit", o, server.Id, Of(saturated, Submit)));
                results.Add(run);
                // Under saturation the outbox sender gets little of the CPU and the receipts wait: the run's figure
                // leaves their sending out. Counted in: the run's submissions over the run plus the time until the
                // mail server had every receipt (a lower bound: that time also sends the warm-up's receipts).
                var drain = await DrainAsync(smtp);
                withReceipts = (run.Ok / (o.Seconds + drain.TotalSeconds), drain.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  every receipt at the mail server {drain.TotalSeconds:0.0} s after the run: {withReceipts.Value.PerSecond:0} submissions/s with their receipts"));
            }
            results.Add(Print(await SaturateAsync("/healthz", o, server.Id, Health())));

            results.Add(Print(await OpenLoopAsync("/healthz", o, server.Id, Health())));
            if (o.Only.Contains("save"))
                results.Add(Print(await OpenLoopAsync("autosave", o, server.Id, Of(respondents, Save))));
            if (o.Only.Contains("submit"))
            {
                await ResyncAsync(respondents, Save);
                results.Add(Print(await OpenLoopAsync("submit", o, server.Id, Of(respondents, Submit))));
            }

            foreach (var r in respondents) r.Http.Dispose();
            foreach (var c in healthClients) c.Dispose();

            // Every acknowledged submission's receipt reaches the mail server (the outbox sends after the commit).
            var drained = await DrainAsync(smtp);
            receipts = string.Create(CultureInfo.InvariantCulture,
                $"receipts: {smtp.Messages} accepted by the SMTP server for {Interlocked.Read(ref _submitted)} acknowledged submissions ({drained.TotalSeconds:0.0} s after the last run)");
            Console.WriteLine(receipts);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            SqliteConnection.ClearAllPools();
            BenchServer.DeleteFolders(folder);
        }

        Console.WriteLine();
        Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, {o.Respondents} respondents, {(o.Postgres ? "PostgreSQL" : "SQLite")}");
        Console.WriteLine(Result.Header);
        foreach (var r in results) Console.WriteLine(r.Line());
        var health = results.Where(r => r.Name == "/healthz" && r.Load.Contains("connections", StringComparison.Ordinal)).Average(r => r.PerSecond);
        Console.WriteLine();
        foreach (var r in results.Where(r => r.Name != "/healthz"))
        {
            if (r.Load.Contains("connections", StringComparison.Ordinal))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Name} saturation: {r.PerSecond:0}/s = {100 * r.PerSecond / health:0.0} % of /healthz ({health:0}/s, mean of the two runs); goal ≥ 35 %: {(r.PerSecond / health >= 0.35 ? "met" : "NOT met")}"));
            else
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Name} open loop {r.Load}: p99 {r.P99:0.0} ms; goal < 50 ms: {(r.P99 < 50 && r.Errors == 0 ? "met" : "NOT met")}"));
        }
        if (withReceipts is { } w)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"submit saturation with its receipts sent ({w.DrainSeconds:0.0} s after the run): {w.PerSecond:0}/s = {100 * w.PerSecond / health:0.0} % of /healthz"));
        Console.WriteLine(receipts);
        var failed = results.Where(r => r.Ok == 0 || r.Errors > 0).ToList();
        foreach (var r in failed) Console.Error.WriteLine($"FAILED: {r.Name} ({r.Load}): {r.Ok} ok, {r.Errors} errors");
        if (smtp.Messages < Interlocked.Read(ref _submitted)) Console.Error.WriteLine("FAILED: receipts missing at the mail server");
        return failed.Count == 0 && smtp.Messages >= Interlocked.Read(ref _submitted) ? 0 : 1;
    }

    /// <summary>Waits (at most a minute) until the mail server has a receipt for every acknowledged submission; how long that took.</summary>
    private static async Task<TimeSpan> DrainAsync(SmtpSink smtp)
    {
        var drained = Stopwatch.StartNew();
        while (smtp.Messages < Interlocked.Read(ref _submitted) && drained.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
        return drained.Elapsed;
    }

    private static Result Print(Result r)
    {
        Console.WriteLine("  " + r.Line());
        return r;
    }

    /// <summary>Brings every respondent's revision back in step (a request cut off at the end of an open-loop run may still have been saved).</summary>
    private static async Task ResyncAsync(Respondent[] respondents, Func<Respondent, HttpRequestMessage> save)
    {
        foreach (var r in respondents) r.Quiet = true;
        await Task.WhenAll(respondents.Select(async r => { if (!await SendAsync(r, save)) await SendAsync(r, save); }));
        foreach (var r in respondents) r.Quiet = false;
    }

    private static HttpRequestMessage JsonPost(Respondent r, string url, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = Json;
        request.Headers.TryAddWithoutValidation("Cookie", r.Cookie);
        request.Headers.TryAddWithoutValidation("RequestVerificationToken", r.Token);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        return request;
    }

    /// <summary>Sends one save or submit of the respondent and follows its revision; false on anything but 200.</summary>
    private static async Task<bool> SendAsync(Respondent r, Func<Respondent, HttpRequestMessage> build, CancellationToken ct = default)
    {
        using var request = build(r);
        using var response = await r.Http.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var answer = JsonDocument.Parse(body).RootElement;
            r.Revision = answer.GetProperty("revision").GetInt64();
            if (answer.TryGetProperty("revisionNo", out _)) Interlocked.Increment(ref _submitted);
            return true;
        }
        if (response.StatusCode == HttpStatusCode.Conflict && JsonDocument.Parse(body).RootElement.TryGetProperty("serverRevision", out var server))
            r.Revision = server.GetInt64();
        if (!r.Quiet && Interlocked.Increment(ref _reported) <= 10)
            Console.Error.WriteLine($"{(int)response.StatusCode}: {Encoding.UTF8.GetString(body)[..Math.Min(300, body.Length)]}");
        return false;
    }

    private static async Task<bool> GetOkAsync(HttpClient http, string url, CancellationToken ct = default)
    {
        using var response = await http.GetAsync(url, ct);
        await response.Content.ReadAsByteArrayAsync(ct);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Each worker sends its next request as soon as the previous answer is in; the first seconds warm up.</summary>
    private static async Task<Result> SaturateAsync(string name, Options o, int pid, Func<CancellationToken, Task<bool>>[] workers)
    {
        Console.WriteLine($"saturation: {name} with {workers.Length} connections for {o.WarmupSeconds} + {o.Seconds} s…");
        var clock = Stopwatch.StartNew();
        var start = TimeSpan.FromSeconds(o.WarmupSeconds);
        var end = start + TimeSpan.FromSeconds(o.Seconds);
        var latencies = new List<double>[workers.Length];
        var errors = new long[workers.Length];
        Metrics? metrics = null;
        var warm = Task.Run(async () =>
        {
            await Task.Delay(start);
            metrics = Metrics.Start(pid);
        });
        await Task.WhenAll(workers.Select((send, i) => Task.Run(async () =>
        {
            var mine = latencies[i] = new List<double>(4096);
            while (clock.Elapsed < end)
            {
                var t0 = clock.Elapsed;
                bool ok;
                try { ok = await send(CancellationToken.None); }
                catch (HttpRequestException) { ok = false; }
                var t1 = clock.Elapsed;
                if (t0 < start || t1 > end) continue;
                if (ok) mine.Add((t1 - t0).TotalMilliseconds);
                else errors[i]++;
            }
        })));
        await warm;
        var m = await metrics!.StopAsync();
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(name, $"{workers.Length} connections", all.Length, errors.Sum(), all.Length / (double)o.Seconds,
            Pct(all, 50), Pct(all, 95), Pct(all, 99), all.Length == 0 ? double.NaN : all[^1], m.CpuCores, m.PeakRssMb, m.LoadAverage, "");
    }

    /// <summary>
    /// Open loop: request k is due at start + k / rate, whatever happened to earlier ones. Request k goes to worker
    /// k mod W, which sends its requests in order (a respondent saves one revision after another); latency is from
    /// the due time to the answer, so time spent waiting behind a slow answer counts.
    /// </summary>
    private static async Task<Result> OpenLoopAsync(string name, Options o, int pid, Func<CancellationToken, Task<bool>>[] workers)
    {
        Console.WriteLine($"open loop: {name} at {o.Rate}/s over {workers.Length} clients for {o.WarmupSeconds} + {o.OpenSeconds} s…");
        var total = (long)o.Rate * (o.WarmupSeconds + o.OpenSeconds);
        var warmup = (long)o.Rate * o.WarmupSeconds;
        var queues = workers.Select(_ => Channel.CreateUnbounded<(long K, long Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true })).ToArray();
        var latencies = new List<double>[workers.Length];
        var errors = new long[workers.Length];
        var unanswered = new long[workers.Length];
        var late = 0L;
        var lastAnswer = 0L;
        Metrics? metrics = null;
        // A server that cannot keep up would make the backlog drain for minutes: whatever is not answered
        // GraceSeconds after the last due time is counted as unanswered, at the time it had waited by then.
        var t0 = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var cutoffAt = t0 + (long)((o.WarmupSeconds + o.OpenSeconds + GraceSeconds) * (double)Stopwatch.Frequency);
        using var cutoff = new CancellationTokenSource(TimeSpan.FromSeconds(0.1 + o.WarmupSeconds + o.OpenSeconds + GraceSeconds));
        var running = workers.Select((send, i) => Task.Run(async () =>
        {
            var mine = latencies[i] = new List<double>(4096);
            await foreach (var (k, due) in queues[i].Reader.ReadAllAsync())
            {
                bool? ok = null;
                if (!cutoff.IsCancellationRequested)
                {
                    try { ok = await send(cutoff.Token); }
                    catch (OperationCanceledException) { ok = null; }
                    catch (HttpRequestException) { ok = false; }
                }
                if (k < warmup) continue;
                if (ok is null)
                {
                    unanswered[i]++;
                    mine.Add(Stopwatch.GetElapsedTime(due, cutoffAt).TotalMilliseconds);
                    continue;
                }
                var now = Stopwatch.GetTimestamp();
                if (ok == true) mine.Add(Stopwatch.GetElapsedTime(due, now).TotalMilliseconds);
                else errors[i]++;
                InterlockedMax(ref lastAnswer, now);
            }
        })).ToArray();

        // The schedule runs on its own thread so that a busy thread pool cannot hold it back unnoticed.
        var ticksPerRequest = (double)Stopwatch.Frequency / o.Rate;
        var measuredFrom = t0 + (long)(warmup * ticksPerRequest);
        var scheduler = new Thread(() =>
        {
            for (long k = 0; k < total;)
            {
                var now = Stopwatch.GetTimestamp();
                for (; k < total; k++)
                {
                    var due = t0 + (long)(k * ticksPerRequest);
                    if (due > now) break;
                    if (k == warmup) metrics = Metrics.Start(pid);
                    if (now - due > Stopwatch.Frequency / 100) Interlocked.Increment(ref late); // sent more than 10 ms after its time
                    queues[k % workers.Length].Writer.TryWrite((k, due));
                }
                Thread.Sleep(1);
            }
            foreach (var q in queues) q.Writer.Complete();
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
        scheduler.Start();
        await Task.WhenAll(running);
        scheduler.Join();
        var m = await metrics!.StopAsync();
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var cut = unanswered.Sum();
        var ok = all.Length - cut;
        var notes = new List<string>();
        if (cut > 0) notes.Add($"{cut} unanswered {GraceSeconds} s after the schedule ended, counted at their wait by then");
        if (late > (total - warmup) / 100) notes.Add($"{late} of {total} sent > 10 ms late: generator starved");
        var seconds = Math.Max(o.OpenSeconds, Stopwatch.GetElapsedTime(measuredFrom, Math.Max(lastAnswer, measuredFrom)).TotalSeconds);
        return new Result(name, $"{o.Rate}/s offered", ok, errors.Sum() + cut, ok / seconds,
            Pct(all, 50), Pct(all, 95), Pct(all, 99), all.Length == 0 ? double.NaN : all[^1], m.CpuCores, m.PeakRssMb, m.LoadAverage,
            notes.Count == 0 ? "" : $" ({string.Join("; ", notes)})");
    }

    private const int GraceSeconds = 10;

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen;)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    private static double Pct(double[] sorted, int p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>
    /// N respondents of one invited organisation (ASTRA) in the demo round, written straight into the database with
    /// the demo respondent's password hash (so signing in costs one hash check, not an account creation each).
    /// Returns the demo questionnaire and a complete, valid set of answers to it (the worked example's first response).
    /// </summary>
    private static async Task<(long QuestionnaireId, string Answers)> SeedRespondentsAsync(DbConnection connection, int n)
    {
        await using var conn = connection;
        await conn.OpenAsync();
        async Task<object?> Scalar(string sql)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            return await cmd.ExecuteScalarAsync();
        }
        var questionnaireId = (long)(await Scalar("""
            SELECT q.id FROM questionnaires q JOIN rounds r ON r.id = q.round_id WHERE r.status = 'Open' AND COALESCE(q.template, '') <> 'IMPORT' ORDER BY q.id LIMIT 1
            """))!;
        var answers = (string)(await Scalar("""
            SELECT rs.data_json FROM responses rs JOIN users u ON u.id = rs.respondent_user_id WHERE u.normalized_email = 'POLICE@DEMO.LOCAL'
            """))!;
        await using var tx = await conn.BeginTransactionAsync();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO users (email, normalized_email, display_name, password_hash, security_stamp, concurrency_stamp, email_confirmed, organisation_id, created_at)
                SELECT @email, upper(@email), @email, u.password_hash, @stamp, @stamp, 1, (SELECT id FROM organisations WHERE name = 'ASTRA'), '2026-01-01T00:00:00+00:00'
                  FROM users u WHERE u.normalized_email = 'RESPONDENT@DEMO.LOCAL';
                INSERT INTO user_roles (user_id, role_id)
                SELECT u.id, r.id FROM users u, roles r WHERE u.normalized_email = upper(@email) AND r.normalized_name = 'RESPONDENT';
                """;
            DbParameter Text(string name)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = name;
                p.DbType = System.Data.DbType.String;
                cmd.Parameters.Add(p);
                return p;
            }
            var email = Text("email");
            var stamp = Text("stamp");
            for (var i = 0; i < n; i++)
            {
                email.Value = $"bench{i}@bench.local";
                stamp.Value = Guid.NewGuid().ToString("N").ToUpperInvariant();
                await cmd.ExecuteNonQueryAsync();
            }
        }
        await tx.CommitAsync();
        return (questionnaireId, answers);
    }

    /// <summary>Signs every respondent in through the login page, opens the form and saves once (the open response).</summary>
    private static async Task<Respondent[]> SignInAllAsync(Uri uri, long questionnaireId, string answers, int n)
    {
        var respondents = new Respondent[n];
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var cookies = new CookieContainer();
                using (var setup = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = uri })
                {
                    var login = await setup.GetStringAsync("/Account/Login");
                    var signedIn = await setup.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["Input.Email"] = $"bench{i}@bench.local", ["Input.Password"] = Password, ["__RequestVerificationToken"] = Token(login),
                    }));
                    if (signedIn.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in of bench{i} returned {(int)signedIn.StatusCode}");
                    var form = await setup.GetStringAsync($"/Respond/Form/{questionnaireId}");
                    var state = JsonDocument.Parse(WebUtility.HtmlDecode(StateRegex().Match(form).Groups[1].Value)).RootElement;
                    var r = new Respondent(NewLoadClient(uri), cookies.GetCookieHeader(uri), Token(form)) { Revision = state.GetProperty("revision").GetInt64() };
                    if (!await SendAsync(r, x => JsonPost(x, $"/Respond/Form/{questionnaireId}/save",
                            $$"""{"data":{{answers}},"currentPage":0,"revision":{{x.Revision}}}""")))
                        throw new InvalidOperationException($"first save of bench{i} failed");
                    respondents[i] = r;
                }
            }
            finally { gate.Release(); }
        }));
        return respondents;
    }

    private static string Token(string html)
    {
        var m = TokenRegex().Match(html);
        return m.Groups[1].Success && m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : m.Groups[2].Value;
    }

    /// <summary>One connection, cookies sent by hand (a fixed header: the load measures the server, not a cookie jar).</summary>
    private static HttpClient NewLoadClient(Uri uri) => new(new SocketsHttpHandler
    {
        UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 1,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10), PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    }) { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(100) };

}

/// <summary>The server's CPU (utime + stime) and peak VmRSS over a run, sampled from /proc every 100 ms.</summary>
sealed class Metrics
{
    private readonly int _pid;
    private readonly double _cpuBefore;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly string _loadBefore = LoadAverage();
    private volatile bool _stopping;
    private readonly Task _sampler;
    private double _peakRss;

    private Metrics(int pid)
    {
        _pid = pid;
        _cpuBefore = CpuSeconds(pid);
        _sampler = Task.Run(async () =>
        {
            while (!_stopping)
            {
                _peakRss = Math.Max(_peakRss, RssMb(_pid));
                await Task.Delay(100);
            }
        });
    }

    public static Metrics Start(int pid) => new(pid);

    public async Task<(double CpuCores, double PeakRssMb, string LoadAverage)> StopAsync()
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var cpu = CpuSeconds(_pid) - _cpuBefore;
        _stopping = true;
        await _sampler;
        _peakRss = Math.Max(_peakRss, RssMb(_pid));
        return (cpu / seconds, _peakRss, $"{_loadBefore} → {LoadAverage()}");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static double CpuSeconds(int pid)
    {
        if (!File.Exists($"/proc/{pid}/stat")) return double.NaN;
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static double RssMb(int pid)
    {
        if (!File.Exists($"/proc/{pid}/status")) return double.NaN;
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
