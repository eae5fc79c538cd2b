// Evidence benchmark (issue 5, "Performance"): a round with N submitted responses × 11 crime areas × 5 indicators.
// Measures, in one run and on one SQLite file: (1) the bare read of the rows the evidence reads, (2) the evidence
// computation (read + bindings + Core aggregation), (3) the evidence page served from the cache (p50/p95).
// Usage: dotnet run -c Release --project bench/Evidence -- [responses=100000] [organisations=2000] [results=bench/RESULTS.md]
// With CONSULTATION_BENCH_POSTGRES=<server connection string> (e.g. Host=127.0.0.1;Port=5433;Username=postgres) it runs
// on a throw-away PostgreSQL database on that server instead of a SQLite file.
using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Consultation.Core.Questionnaires;
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
        var responses = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var organisations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
        var resultsPath = args.Length > 2 ? args[2] : Path.Combine(FindRepoRoot(), "bench", "RESULTS.md");
        var loadStart = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        var root = Path.Combine(Path.GetTempPath(), "consultation-bench-evidence-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var postgresServer = Environment.GetEnvironmentVariable("CONSULTATION_BENCH_POSTGRES") is { Length: > 0 } server ? server : null;
        var postgresDatabase = postgresServer is null ? null : "consultation_bench_" + Guid.NewGuid().ToString("N");
        string? postgres = null;
        if (postgresServer is not null)
        {
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgresServer) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.ExecuteAsync($"CREATE DATABASE {postgresDatabase} ENCODING 'UTF8' TEMPLATE template0");
            postgres = new NpgsqlConnectionStringBuilder(postgresServer) { Database = postgresDatabase }.ConnectionString;
        }
        var engine = postgres is null ? "SQLite (WAL)" : "PostgreSQL";
        Console.WriteLine($"Evidence bench: {responses:N0} responses × 11 crime areas × 5 indicators, {organisations:N0} organisations, {engine}, files in {root}");

        await using var app = new BenchFactory(root, postgres);
        var db = app.Services.GetRequiredService<Db>();
        var service = app.Services.GetRequiredService<EvidenceService>();

        var seed = Stopwatch.StartNew();
        var roundId = await SeedAsync(db, responses, organisations);
        long bytes;
        await using (var conn = await db.OpenAsync())
            bytes = db.Dialect == DatabaseProvider.Postgres
                ? await conn.ExecuteScalarAsync<long>("SELECT pg_database_size(current_database())")
                : new FileInfo(db.DatabasePath).Length;
        Console.WriteLine($"Seeded in {seed.Elapsed.TotalSeconds:F1} s; database {bytes / 1024.0 / 1024.0:F0} MiB");

        var bare = new List<double>();
        var compute = new List<double>();
        var values = 0;
        for (var run = 0; run < 3; run++)
        {
            await using (var conn = await db.OpenAsync())
            {
                var sw = Stopwatch.StartNew();
                var n = 0;
                long chars = 0;
                await foreach (var row in conn.QueryUnbufferedAsync<EvidenceService.ResponseRow>(EvidenceService.ResponsesSql, new { roundId }))
                {
                    n++;
                    chars += row.DataJson.Length;
                }
                bare.Add(sw.Elapsed.TotalMilliseconds);
                if (n != responses) throw new InvalidOperationException($"Read {n} rows, expected {responses}.");
                Console.WriteLine($"  bare read   run {run + 1}: {sw.Elapsed.TotalMilliseconds,8:F0} ms ({n:N0} rows, {chars / 1024 / 1024} Mi chars of answers)");
            }
            GC.Collect();
            await using (var conn = await db.OpenAsync())
            {
                var sw = Stopwatch.StartNew();
                var e = await service.ComputeAsync(conn, roundId, EvidenceFilter.All, CancellationToken.None);
                compute.Add(sw.Elapsed.TotalMilliseconds);
                values = e!.Evidence.Cells.Values.Sum(c => c.N);
                Console.WriteLine($"  computation run {run + 1}: {sw.Elapsed.TotalMilliseconds,8:F0} ms ({values:N0} values, {e.Evidence.Cells.Count} cells, DRUGS composite {e.Evidence.CrimeArea("DRUGS")?.Composite})");
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
        double P(List<double> xs, double p) => xs[Math.Clamp((int)Math.Ceiling(p * xs.Count) - 1, 0, xs.Count - 1)];
        var bareMedian = Median(bare);
        var computeMedian = Median(compute);
        var ratio = computeMedian / bareMedian;
        Console.WriteLine($"Bare read median {bareMedian:F0} ms; computation median {computeMedian:F0} ms; ratio {ratio:F2} (goal ≤ 1.5)");
        Console.WriteLine($"Cached page: p50 {P(page, 0.5):F1} ms, p95 {P(page, 0.95):F1} ms, max {page[^1]:F1} ms over {page.Count} requests (goal p95 < 50 ms)");

        var section = new StringBuilder()
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"## Evidence aggregation ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/Evidence -- {responses} {organisations}` on {Environment.ProcessorCount} cores, {engine}{(postgres is null ? "" : " (local throw-away cluster, `CONSULTATION_BENCH_POSTGRES` set)")}, .NET {Environment.Version}.")
            .AppendLine(CultureInfo.InvariantCulture, $"Load average while it ran (other work on the machine): {loadStart} at start, {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end — absolute times are inflated accordingly; the ratio is measured in the same run.")
            .AppendLine(CultureInfo.InvariantCulture, $"Round: {responses:N0} submitted five-indicator responses (one revision each) × 11 crime areas × 5 indicators = {values:N0} values, {organisations:N0} organisations.")
            .AppendLine()
            .AppendLine("| measure | median of 3 runs | runs |")
            .AppendLine("|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| bare read of the rows (same SQL, Dapper, answers as strings) | {bareMedian:F0} ms | {string.Join(" / ", bare.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| evidence computation (read + bindings + Core aggregation + rankings) | {computeMedian:F0} ms | {string.Join(" / ", compute.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} ms |")
            .AppendLine(CultureInfo.InvariantCulture, $"| ratio computation / bare read (goal ≤ 1.5) | {ratio:F2} | |")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Evidence page `/Evidence/Index/{{roundId}}` in process (TestServer), signed in as coordinator: first request (computes and caches) {first.Elapsed.TotalMilliseconds:F0} ms; then from the cache p50 {P(page, 0.5):F1} ms, **p95 {P(page, 0.95):F1} ms**, max {page[^1]:F1} ms over {page.Count} requests (goal p95 < 50 ms). The cache key includes `evidence_data_version`, which triggers bump on any change to responses, revisions, scores, factors, participants, rounds or organisations.");
        await File.AppendAllTextAsync(resultsPath, section.ToString());
        Console.WriteLine($"Appended to {resultsPath}");

        try { SqliteConnection.ClearAllPools(); Directory.Delete(root, true); } catch (IOException) { }
        if (postgresServer is not null)
        {
            await app.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgresServer) { Database = "postgres", Pooling = false }.ConnectionString);
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {postgresDatabase} WITH (FORCE)");
        }
        return 0;

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

        using var insertResponse = conn.CreateCommand();
        insertResponse.Transaction = tx;
        insertResponse.CommandText = """
            INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, data_json, submitted_at, grading, created_at, updated_at)
            VALUES (@v, @o, @u, 'Submitted', 1, @d, @t, @g, @t, @t) RETURNING id
            """;
        var pv = Param(insertResponse, "v", DbType.Int64);
        var po = Param(insertResponse, "o", DbType.Int64);
        var pu = Param(insertResponse, "u", DbType.Int64);
        var pd = Param(insertResponse, "d", DbType.String);
        var pt = Param(insertResponse, "t", DbType.String);
        var pg = Param(insertResponse, "g", DbType.String);
        using var insertUser = conn.CreateCommand();
        insertUser.Transaction = tx;
        // One respondent answers a version once (migration 0004): a passwordless member per response.
        insertUser.CommandText = """
            INSERT INTO users (email, normalized_email, security_stamp, concurrency_stamp, organisation_id, created_at)
            VALUES (@e, upper(@e), 's', 'c', @o, @t) RETURNING id
            """;
        var ue = Param(insertUser, "e", DbType.String);
        var uo = Param(insertUser, "o", DbType.Int64);
        var ut = Param(insertUser, "t", DbType.String);
        using var insertRevision = conn.CreateCommand();
        insertRevision.Transaction = tx;
        insertRevision.CommandText = "INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by) VALUES (@r, 1, @d, @t, @u)";
        var rr = Param(insertRevision, "r", DbType.Int64);
        var rd = Param(insertRevision, "d", DbType.String);
        var rt = Param(insertRevision, "t", DbType.String);
        var ru = Param(insertRevision, "u", DbType.Int64);
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
            var respondent = (long)(await insertUser.ExecuteScalarAsync())!;
            pv.Value = versionId; po.Value = orgIds[i % organisations]; pu.Value = respondent; pd.Value = data; pt.Value = stamp;
            pg.Value = (object?)gradings[random.Next(gradings.Length)] ?? DBNull.Value;
            var id = (long)(await insertResponse.ExecuteScalarAsync())!;
            rr.Value = id; rd.Value = data; rt.Value = stamp; ru.Value = respondent;
            await insertRevision.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return roundId;
    }

    private static DbParameter Param(DbCommand command, string name, DbType type)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        command.Parameters.Add(p);
        return p;
    }

}

/// <summary>The real app on its own SQLite file or PostgreSQL database (Development: demo users), served in process.</summary>
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
