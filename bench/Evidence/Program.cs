// Evidence benchmark (issue 5, "Performance"): a round with N submitted responses × 11 crime areas × 5 indicators.
// Measures, in one run and on one SQLite file: (1) the bare read of the rows the evidence reads, (2) the evidence
// computation (read + bindings + Core aggregation), (3) the evidence page served from the cache (p50/p95), (4) what a
// coordinator sees right after a change of data (background recomputation).
// Usage: dotnet run -c Release --project bench/Evidence -- [responses=100000] [organisations=2000] [results=bench/RESULTS.md]
//            [--postgres "Host=127.0.0.1;Port=55433;Username=postgres"]
// With --postgres the same round is seeded into a new database on that server (dropped at the end) and the app runs on
// it; the raw read is then the same SQL through Npgsql's data reader (every column fetched, every character of the
// answers read) instead of SQLite's statement API.
using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Consultation.Core.Questionnaires;
using SQLitePCL;
using Consultation.Core.Scales;
using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Consultation.Bench.Evidence;

public static class EvidenceBench
{
    public static async Task<int> Main(string[] args)
    {
        var postgresAt = Array.IndexOf(args, "--postgres");
        var postgresServer = postgresAt >= 0 && postgresAt + 1 < args.Length ? args[postgresAt + 1] : null;
        if (postgresAt >= 0 && postgresServer is null) throw new ArgumentException("--postgres needs a server connection string.");
        var positional = args.Where((_, i) => postgresAt < 0 || (i != postgresAt && i != postgresAt + 1)).ToArray();
        var responses = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 100_000;
        var organisations = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 2_000;
        var resultsPath = positional.Length > 2 ? positional[2] : Path.Combine(FindRepoRoot(), "bench", "RESULTS.md");
        var loadStart = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        // The machine is shared: sample its 1-minute load average through the run.
        var loads = new List<double>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && File.Exists("/proc/loadavg"))
            {
                lock (loads) loads.Add(double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture));
                try { await Task.Delay(5000, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var root = Path.Combine(Path.GetTempPath(), "consultation-bench-evidence-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var postgres = postgresServer is null ? null : await PostgresDatabase.CreateAsync(postgresServer);
        var engine = postgres is null ? "SQLite (WAL)" : $"PostgreSQL {postgres.ServerVersion}";
        Console.WriteLine($"Evidence bench: {responses:N0} responses × 11 crime areas × 5 indicators, {organisations:N0} organisations, {engine}, files in {root}");

        await using var app = new BenchFactory(root, postgres?.ConnectionString);
        var db = app.Services.GetRequiredService<Db>();
        var service = app.Services.GetRequiredService<EvidenceService>();

        var seed = Stopwatch.StartNew();
        var roundId = await SeedAsync(db, responses, organisations);
        Console.WriteLine(postgres is null
            ? $"Seeded in {seed.Elapsed.TotalSeconds:F1} s; file {new FileInfo(db.DatabasePath).Length / 1024.0 / 1024.0:F0} MiB"
            : $"Seeded in {seed.Elapsed.TotalSeconds:F1} s");

        var bare = new List<double>();
        var raw = new List<double>();
        var parse = new List<double>();
        var compute = new List<double>();
        // CPU time of this process for the same steps: far less disturbed by other work on the machine than wall time.
        var bareCpu = new List<double>();
        var rawCpu = new List<double>();
        var parseCpu = new List<double>();
        var computeCpu = new List<double>();
        var values = 0;
        for (var run = 0; run < 3; run++)
        {
            // (1) The baseline of session 2, unchanged: Dapper maps every row, answers as .NET strings.
            await using (var conn = await db.OpenAsync())
            {
                var cpu = Cpu();
                var sw = Stopwatch.StartNew();
                var n = 0;
                long chars = 0;
                await foreach (var row in conn.QueryUnbufferedAsync<EvidenceService.ResponseRow>(EvidenceService.ResponsesSql, new { roundId }))
                {
                    n++;
                    chars += row.DataJson.Length;
                }
                bare.Add(sw.Elapsed.TotalMilliseconds);
                bareCpu.Add(Cpu() - cpu);
                if (n != responses) throw new InvalidOperationException($"Read {n} rows, expected {responses}.");
                Console.WriteLine($"  bare read (Dapper, strings) run {run + 1}: {sw.Elapsed.TotalMilliseconds,8:F0} ms ({n:N0} rows, {chars / 1024 / 1024} Mi chars of answers)");
            }
            GC.Collect();
            // (2) The stricter baseline: the same SQL read the way the computation reads it (SQLite's own bytes, no
            // string per row); every column the computation uses is fetched and every byte of the answers is read.
            await using (var conn = await db.OpenAsync())
            {
                var cpu = Cpu();
                var sw = Stopwatch.StartNew();
                var (n, colons) = await RawReadAsync(conn, roundId, null);
                raw.Add(sw.Elapsed.TotalMilliseconds);
                rawCpu.Add(Cpu() - cpu);
                if (n != responses) throw new InvalidOperationException($"Read {n} rows, expected {responses}.");
                Console.WriteLine($"  bare read (raw bytes)       run {run + 1}: {sw.Elapsed.TotalMilliseconds,8:F0} ms ({colons:N0} ':' bytes seen)");
            }
            GC.Collect();
            // (3) Profile step: the raw read plus parsing every response through the bindings (no aggregation).
            await using (var conn = await db.OpenAsync())
            {
                var bindings = await conn.ExecuteScalarAsync<string>("SELECT v.bindings_json FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id WHERE q.round_id = @roundId", new { roundId });
                var reader = BoundAnswers.FromJson(bindings).CreateReader();
                var cpu = Cpu();
                var sw = Stopwatch.StartNew();
                var (_, scores) = await RawReadAsync(conn, roundId, reader);
                parse.Add(sw.Elapsed.TotalMilliseconds);
                parseCpu.Add(Cpu() - cpu);
                Console.WriteLine($"  read + parse answers        run {run + 1}: {sw.Elapsed.TotalMilliseconds,8:F0} ms ({scores:N0} scores)");
            }
            GC.Collect();
            await using (var conn = await db.OpenAsync())
            {
                var cpu = Cpu();
                var sw = Stopwatch.StartNew();
                var e = await service.ComputeAsync(conn, roundId, EvidenceFilter.All, CancellationToken.None);
                compute.Add(sw.Elapsed.TotalMilliseconds);
                computeCpu.Add(Cpu() - cpu);
                values = e!.Evidence.Cells.Values.Sum(c => c.N);
                Console.WriteLine($"  computation                 run {run + 1}: {sw.Elapsed.TotalMilliseconds,8:F0} ms ({values:N0} values, {e.Evidence.Cells.Count} cells, DRUGS composite {e.Evidence.CrimeArea("DRUGS")?.Composite})");
            }
            GC.Collect();
        }

        // The page: first request computes and caches, then every request is served from the cache until the data changes.
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await LoginAsync(client);
        var first = Stopwatch.StartNew();
        var firstPage = await client.GetAsync($"/Evidence/Index/{roundId}");
        first.Stop();
        if (firstPage.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"Evidence page answered {(int)firstPage.StatusCode}.");
        Console.WriteLine($"  page, first (computes): {first.Elapsed.TotalMilliseconds:F0} ms");
        var page = new List<double>();
        for (var i = 0; i < 220; i++)
        {
            var sw = Stopwatch.StartNew();
            using var r = await client.GetAsync($"/Evidence/Index/{roundId}");
            _ = await r.Content.ReadAsByteArrayAsync();
            sw.Stop();
            if (i >= 20) page.Add(sw.Elapsed.TotalMilliseconds);
        }
        page.Sort();

        // A change of data: the background pass recomputes; the page either finds the new figures ready, waits for
        // them (at most Evidence:PageWaitSeconds) or shows the previous ones marked with their data version.
        await using (var conn = await db.OpenAsync())
            await conn.ExecuteAsync("UPDATE responses SET grading = 'A1' WHERE id = (SELECT MIN(r.id) FROM responses r JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id JOIN questionnaires q ON q.id = v.questionnaire_id WHERE q.round_id = @roundId)", new { roundId });
        var changed = Stopwatch.StartNew();
        using (var r = await client.GetAsync($"/Evidence/Index/{roundId}")) _ = await r.Content.ReadAsStringAsync();
        var afterChange = changed.Elapsed.TotalMilliseconds;
        var fresh = TimeSpan.Zero;
        for (var i = 0; i < 600 && fresh == TimeSpan.Zero; i++)
        {
            await using var conn = await db.OpenAsync();
            var current = await EvidenceService.DataVersionAsync(conn, CancellationToken.None);
            if (service.Peek(roundId, EvidenceFilter.All)?.DataVersion >= current) fresh = changed.Elapsed;
            else await Task.Delay(100);
        }
        Console.WriteLine($"  after a change: page answered in {afterChange:F0} ms; current figures cached {fresh.TotalMilliseconds:F0} ms after the change");
        double P(List<double> xs, double p) => xs[Math.Clamp((int)Math.Ceiling(p * xs.Count) - 1, 0, xs.Count - 1)];
        var bareMedian = Median(bare);
        var computeMedian = Median(compute);
        var rawMedian = Median(raw);
        var parseMedian = Median(parse);
        var ratio = computeMedian / bareMedian;
        var rawRatio = computeMedian / rawMedian;
        var cpuRatio = Median(computeCpu) / Median(bareCpu);
        var cpuRawRatio = Median(computeCpu) / Median(rawCpu);
        Console.WriteLine($"CPU medians: bare {Median(bareCpu):F0} ms, raw {Median(rawCpu):F0} ms, read + parse {Median(parseCpu):F0} ms, computation {Median(computeCpu):F0} ms; ratios {cpuRatio:F2} / raw {cpuRawRatio:F2}");
        var loadEnd = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        await sampling.CancelAsync();
        await sampler;
        var loadSummary = loads.Count == 0 ? "?" : string.Create(CultureInfo.InvariantCulture, $"min {loads.Min():F1}, mean {loads.Average():F1}, max {loads.Max():F1} over {loads.Count} samples");
        Console.WriteLine($"Bare read median {bareMedian:F0} ms (raw {rawMedian:F0} ms); read + parse {parseMedian:F0} ms; computation median {computeMedian:F0} ms; ratio {ratio:F2} (raw {rawRatio:F2}) (goal ≤ 1.5)");
        Console.WriteLine($"Cached page: p50 {P(page, 0.5):F1} ms, p95 {P(page, 0.95):F1} ms, max {page[^1]:F1} ms over {page.Count} requests (goal p95 < 50 ms)");

        // More runnable work than cores means other work shared the machine: say so rather than let the figures pass as quiet.
        var loadVerdict = loads.Count > 0 && loads.Average() > Environment.ProcessorCount
            ? "other work shared the cores, so absolute times are inflated; the ratios are measured in the same run."
            : "nothing else ran on the machine; this run's absolute times can be compared with other quiet runs.";
        var section = new StringBuilder()
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"## Evidence aggregation ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/Evidence -- {responses} {organisations}{(postgres is null ? "" : " --postgres \"…\"")}` on {Environment.ProcessorCount} cores, {engine}, .NET {Environment.Version}.")
            .AppendLine(CultureInfo.InvariantCulture, $"Load average (1 min) while it ran, sampled every 5 s: {loadSummary}; {loadStart} at start, {loadEnd} at the end — {loadVerdict}")
            .AppendLine(CultureInfo.InvariantCulture, $"Round: {responses:N0} submitted five-indicator responses (one revision each) × 11 crime areas × 5 indicators = {values:N0} values, {organisations:N0} organisations.")
            .AppendLine()
            .AppendLine("| measure | wall, median of 3 runs | wall, runs | CPU time of the process, median | CPU, runs |")
            .AppendLine("|---|---|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| bare read of the rows, session 2's baseline (same SQL, Dapper, answers as strings) | {bareMedian:F0} ms | {Runs(bare)} ms | {Median(bareCpu):F0} ms | {Runs(bareCpu)} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| bare read of the rows, raw (same SQL, {(postgres is null ? "SQLite's UTF-8 bytes, every byte" : "Npgsql's data reader, every character")} of the answers read) | {rawMedian:F0} ms | {Runs(raw)} ms | {Median(rawCpu):F0} ms | {Runs(rawCpu)} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| raw read + parsing the answers through the bindings (profile step) | {parseMedian:F0} ms | {Runs(parse)} ms | {Median(parseCpu):F0} ms | {Runs(parseCpu)} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| evidence computation (read + bindings + Core aggregation + rankings) | {computeMedian:F0} ms | {Runs(compute)} ms | {Median(computeCpu):F0} ms | {Runs(computeCpu)} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| ratio computation / bare read (goal ≤ 1.5) | {ratio:F2} (against the raw read: {rawRatio:F2}) | | {cpuRatio:F2} (against the raw read: {cpuRawRatio:F2}) | |")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Evidence page `/Evidence/Index/{{roundId}}` in process (TestServer), signed in as coordinator: first request (computes and caches) {first.Elapsed.TotalMilliseconds:F0} ms; then from the cache p50 {P(page, 0.5):F1} ms, **p95 {P(page, 0.95):F1} ms**, max {page[^1]:F1} ms over {page.Count} requests (goal p95 < 50 ms). After a change of data (one response regraded) the next page request answered in {afterChange:F0} ms, and the background pass had the current figures cached {fresh.TotalMilliseconds:F0} ms after the change. Load average at the end: {loadEnd}.");
        await File.AppendAllTextAsync(resultsPath, section.ToString());
        Console.WriteLine($"Appended to {resultsPath}");

        await app.DisposeAsync(); // stops the background pass before its database goes
        if (postgres is not null) await postgres.DisposeAsync();
        try { SqliteConnection.ClearAllPools(); Directory.Delete(root, true); } catch (IOException) { }
        return 0;

    }

    private static double Cpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalMilliseconds;
    }

    private static string Runs(List<double> xs) => string.Join(" / ", xs.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)));

    private static async Task<(int Rows, long Count)> RawReadAsync(DbConnection conn, long roundId, BoundAnswerReader? reader) =>
        conn is SqliteConnection sqlite ? RawRead(sqlite, roundId, reader) : await RawReadAdoAsync(conn, roundId, reader);

    /// <summary>
    /// Other databases: <see cref="EvidenceService.ResponsesSql"/> through the provider's data reader, as the computation
    /// reads it there (every column fetched; the answers as a string, encoded into one reused UTF-8 buffer to parse).
    /// </summary>
    private static async Task<(int Rows, long Count)> RawReadAdoAsync(DbConnection conn, long roundId, BoundAnswerReader? reader)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = EvidenceService.ResponsesSql;
        var p = cmd.CreateParameter();
        p.ParameterName = "roundId";
        p.Value = roundId;
        cmd.Parameters.Add(p);
        await using var rows = await cmd.ExecuteReaderAsync();
        var buffer = new byte[1 << 16];
        int n = 0;
        long count = 0, ids = 0;
        while (await rows.ReadAsync())
        {
            n++;
            ids += Convert.ToInt64(rows.GetValue(0), CultureInfo.InvariantCulture) + Convert.ToInt64(rows.GetValue(1), CultureInfo.InvariantCulture)
                 + Convert.ToInt64(rows.GetValue(2), CultureInfo.InvariantCulture) + Convert.ToInt64(rows.GetValue(5), CultureInfo.InvariantCulture);
            ids += rows.GetString(3).Length + (rows.IsDBNull(4) ? 0 : rows.GetString(4).Length);
            var answers = rows.GetString(6);
            if (reader is null) count += answers.AsSpan().Count(':');
            else
            {
                if (Encoding.UTF8.GetMaxByteCount(answers.Length) > buffer.Length) buffer = new byte[Encoding.UTF8.GetMaxByteCount(answers.Length)];
                if (reader.Read(buffer.AsSpan(0, Encoding.UTF8.GetBytes(answers, buffer)))) count += reader.Scores.Length;
            }
        }
        GC.KeepAlive(ids);
        return (n, count);
    }

    /// <summary>
    /// Steps <see cref="EvidenceService.ResponsesSql"/> as the computation does and fetches the same columns; without a
    /// reader it counts the ':' bytes of every answer (so each byte is read), with one it parses the answers.
    /// Returns the rows and the ':' count or the number of scores.
    /// </summary>
    private static (int Rows, long Count) RawRead(SqliteConnection conn, long roundId, BoundAnswerReader? reader)
    {
        var handle = conn.Handle!;
        if (raw.sqlite3_prepare_v2(handle, EvidenceService.ResponsesSql, out var stmt) != raw.SQLITE_OK) throw new InvalidOperationException(raw.sqlite3_errmsg(handle).utf8_to_string());
        using (stmt)
        {
            raw.sqlite3_bind_int64(stmt, raw.sqlite3_bind_parameter_index(stmt, "@roundId"), roundId);
            var rows = 0;
            long count = 0, ids = 0;
            while (raw.sqlite3_step(stmt) == raw.SQLITE_ROW)
            {
                rows++;
                ids += raw.sqlite3_column_int64(stmt, 0) + raw.sqlite3_column_int64(stmt, 1) + raw.sqlite3_column_int64(stmt, 2) + raw.sqlite3_column_int64(stmt, 5);
                ids += raw.sqlite3_column_blob(stmt, 3).Length + raw.sqlite3_column_blob(stmt, 4).Length;
                var answers = raw.sqlite3_column_blob(stmt, 6);
                if (reader is null) count += answers.Count((byte)':');
                else if (reader.Read(answers)) count += reader.Scores.Length;
            }
            GC.KeepAlive(ids);
            return (rows, count);
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    internal static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Consultation.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }

    private static async Task LoginAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/Account/Login");
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "coordinator@demo.local", ["Input.Password"] = Consultation.Web.Operations.DemoData.Password, ["__RequestVerificationToken"] = token,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"Sign-in answered {(int)response.StatusCode}.");
    }

    private static async Task<long> SeedAsync(Db db, int responses, int organisations)
    {
        var now = DateTimeOffset.UtcNow;
        await using var conn = await db.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var author = await conn.ExecuteScalarAsync<long>("SELECT MIN(id) FROM users", transaction: tx);
        var roundId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO rounds (title, opens_at, closes_at, status, category_weights_json, indicator_weights_json, created_by, created_at, updated_at)
            VALUES ('Bench round', @a, @b, 'Closed', '{"AGENCY":1.5,"ACADEMIC":0.8}', '{"DAMAGE":2}', @author, @now, @now) RETURNING id
            """, new { a = now.AddDays(-30), b = now.AddDays(-1), author, now }, tx);
        var areas = (await conn.QueryAsync<(string Code, string NameEn, string NameSrLatn)>("SELECT code, name_en, name_sr_latn FROM crime_areas ORDER BY sort_order", transaction: tx))
            .Select(a => new CrimeAreaName { Code = a.Code, NameEn = a.NameEn, NameSrLatn = a.NameSrLatn }).ToList();
        foreach (var a in areas) await conn.ExecuteAsync("INSERT INTO round_crime_areas (round_id, crime_area_code) VALUES (@roundId, @Code)", new { roundId, a.Code }, tx);
        var q = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, areas);
        var questionnaireId = await conn.ExecuteScalarAsync<long>("INSERT INTO questionnaires (round_id, title, template, created_at, updated_at) VALUES (@roundId, 'Bench', @Template, @now, @now) RETURNING id", new { roundId, q.Template, now }, tx);
        var versionId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO questionnaire_versions (questionnaire_id, version, status, schema_json, bindings_json, created_at, updated_at, published_at)
            VALUES (@questionnaireId, 1, 'Published', @SchemaJson, @BindingsJson, @now, @now, @now) RETURNING id
            """, new { questionnaireId, q.SchemaJson, q.BindingsJson, now }, tx);
        string[] categories = ["AGENCY", "NGO", "NGO", "ACADEMIC", "INTERNATIONAL", "OTHER", "MINISTRY"];
        var orgIds = new long[organisations];
        for (var i = 0; i < organisations; i++)
            orgIds[i] = await conn.ExecuteScalarAsync<long>("INSERT INTO organisations (name, category, created_at, updated_at) VALUES (@name, @category, @now, @now) RETURNING id",
                new { name = $"Bench organisation {i:D5}", category = categories[i % categories.Length], now }, tx);

        // Plain ADO.NET commands prepared once, so the same code seeds SQLite and PostgreSQL.
        await using var insertResponse = Command(conn, tx, """
            INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, data_json, submitted_at, grading, created_at, updated_at)
            VALUES (@v, @o, @u, 'Submitted', 1, @d, @t, @g, @t, @t) RETURNING id
            """);
        var pv = Parameter(insertResponse, "v", DbType.Int64);
        var po = Parameter(insertResponse, "o", DbType.Int64);
        var pu = Parameter(insertResponse, "u", DbType.Int64);
        var pd = Parameter(insertResponse, "d", DbType.String);
        var pt = Parameter(insertResponse, "t", DbType.String);
        var pg = Parameter(insertResponse, "g", DbType.String);
        // One respondent answers a version once (migration 0004): a passwordless member per response.
        await using var insertUser = Command(conn, tx, """
            INSERT INTO users (email, normalized_email, security_stamp, concurrency_stamp, organisation_id, created_at)
            VALUES (@e, upper(@e), 's', 'c', @o, @t) RETURNING id
            """);
        var ue = Parameter(insertUser, "e", DbType.String);
        var uo = Parameter(insertUser, "o", DbType.Int64);
        var ut = Parameter(insertUser, "t", DbType.String);
        await using var insertRevision = Command(conn, tx,
            "INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by) VALUES (@r, 1, @d, @t, @u)");
        var rr = Parameter(insertRevision, "r", DbType.Int64);
        var rd = Parameter(insertRevision, "d", DbType.String);
        var rt = Parameter(insertRevision, "t", DbType.String);
        var ru = Parameter(insertRevision, "u", DbType.Int64);
        var random = new Random(2027);
        string?[] gradings = [null, "A1", "B2", "B1", "C2", "X2", "B3"];
        string[] confidences = ["HIGH", "HIGH", "MEDIUM", "LOW"];
        var stamp = DapperSetup.Format(now);
        for (var i = 0; i < responses; i++)
        {
            var sb = new StringBuilder("{");
            foreach (var a in areas)
            {
                sb.Append('"').Append(a.Code).Append("_indicators\":{");
                for (var j = 0; j < Indicators.All.Count; j++)
                    sb.Append(j == 0 ? "" : ",").Append('"').Append(Indicators.All[j]).Append("\":").Append(random.Next(1, 6));
                sb.Append("},\"").Append(a.Code).Append("_confidence\":\"").Append(confidences[random.Next(confidences.Length)]).Append("\",");
            }
            sb.Length--;
            sb.Append('}');
            var data = sb.ToString();
            ue.Value = $"bench-{i}@bench.invalid"; uo.Value = orgIds[i % organisations]; ut.Value = stamp;
            var respondent = Convert.ToInt64(await insertUser.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            pv.Value = versionId; po.Value = orgIds[i % organisations]; pu.Value = respondent; pd.Value = data; pt.Value = stamp;
            pg.Value = (object?)gradings[random.Next(gradings.Length)] ?? DBNull.Value;
            var id = Convert.ToInt64(await insertResponse.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            rr.Value = id; rd.Value = data; rt.Value = stamp; ru.Value = respondent;
            await insertRevision.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return roundId;
    }

    private static DbCommand Command(DbConnection conn, DbTransaction tx, string sql)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static DbParameter Parameter(DbCommand cmd, string name, DbType type)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        cmd.Parameters.Add(p);
        return p;
    }

}

/// <summary>The real app on its own SQLite file (Development: demo users), served in process.</summary>
internal sealed class BenchFactory(string root, string? postgres) : WebApplicationFactory<global::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The web project lives in src/, not next to the solution file where the factory would look for it.
        builder.UseContentRoot(Path.Combine(EvidenceBench.FindRepoRoot(), "src", "Consultation.Web"));
        builder.UseEnvironment(Environments.Development);
        builder.UseSetting("Database:SqlitePath", Path.Combine(root, "bench.db"));
        if (postgres is not null)
        {
            builder.UseSetting("Database:Provider", "Postgres");
            builder.UseSetting("Database:ConnectionString", postgres);
        }
        builder.UseSetting("DataProtection:KeysDirectory", Path.Combine(root, "keys"));
        builder.UseSetting("Mail:PickupDirectory", Path.Combine(root, "mail"));
        builder.UseSetting("RateLimits:SensitivePostsPerMinute", "1000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}

/// <summary>A new, empty PostgreSQL database on the given server for one run, dropped on dispose.</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _name;

    private PostgresDatabase(string admin, string name, string connectionString, string serverVersion)
    {
        _admin = admin;
        _name = name;
        ConnectionString = connectionString;
        ServerVersion = serverVersion;
    }

    public string ConnectionString { get; }
    public string ServerVersion { get; }

    public static async Task<PostgresDatabase> CreateAsync(string server)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        var name = "consultation_bench_" + Guid.NewGuid().ToString("N");
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0", conn)) await create.ExecuteNonQueryAsync();
        return new PostgresDatabase(admin, name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString, conn.PostgreSqlVersion.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var conn = new NpgsqlConnection(_admin);
        await conn.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", conn);
        await drop.ExecuteNonQueryAsync();
    }
}
