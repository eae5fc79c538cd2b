using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Consultation.Core.Workshops;
using Consultation.Web.Rounds;
using Consultation.Web.Tests.Pages.Workshops;
using Consultation.Web.Workshops;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using static Consultation.Web.Tests.Pages.Workshops.WorkshopSteps;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>One app instance as its own process: the built Consultation.Web.dll on Kestrel with <c>--urls</c>.</summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public Uri BaseUrl { get; }
    public int ProcessId => _process.Id;

    private AppProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>The web project's build output for the configuration these tests were built in (Debug or Release).</summary>
    public static string Dll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var dll = Path.Combine(Repository.Root ?? throw new InvalidOperationException("Tests must run from a checkout."),
            "src", "Consultation.Web", "bin", configuration, "net10.0", "Consultation.Web.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the web project first: {dll} is missing.", dll);
    }

    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var dll = Dll();
        var port = SmtpPeer.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}" }) psi.ArgumentList.Add(a);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in settings) psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the app.");
        var app = new AppProcess(process, url);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) app._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) app._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"The app exited with code {process.ExitCode}:\n{app.Output}");
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return app;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        await app.DisposeAsync();
        throw new TimeoutException($"The app did not answer /healthz within 60 s:\n{app.Output}");
    }

    public string Output => string.Join('\n', _output);

    public int CountLines(string text) => _output.Count(l => l.Contains(text, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}

/// <summary>
/// Two instances of the portal as separate processes on one SQLite file, one Redis (started here) and one SMTP
/// peer — the deployment of several instances behind one database, on this machine.
/// </summary>
public sealed class TwoInstances : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "consultation-two-" + Guid.NewGuid().ToString("N"));
    /// <summary>The shared database: a SQLite file, or a throw-away PostgreSQL database when the tests run on PostgreSQL.</summary>
    public TestDatabase Database { get; private set; } = null!;
    public SmtpPeer Smtp { get; private set; } = null!;
    public RedisPeer Redis { get; private set; } = null!;
    public AppProcess A { get; private set; } = null!;
    public AppProcess B { get; private set; } = null!;

    private Dictionary<string, string> Settings(bool seed) => new(Database.Settings.Select(s => KeyValuePair.Create(s.Key, s.Value!)))
    {
        ["DataProtection:Store"] = "Database",
        ["Redis:Configuration"] = Redis.Configuration,
        ["Redis:ChannelPrefix"] = "test-" + Path.GetFileName(Root),
        ["Mail:SmtpHost"] = "127.0.0.1",
        ["Mail:SmtpPort"] = Smtp.Port.ToString(CultureInfo.InvariantCulture),
        ["Mail:Security"] = "None",
        ["Mail:PickupDirectory"] = Path.Combine(Root, "mail"),
        ["RateLimits:SensitivePostsPerMinute"] = "1000",
        ["Workshops:BroadcastIntervalMs"] = "50",
        ["Reminders:IntervalSeconds"] = "1",
        ["Demo:Seed"] = seed ? "true" : "false",
        ["Logging:LogLevel:Default"] = "Warning",
        // The instance that does not hold the reminder lease says so at Debug on every pass.
        [$"Logging:LogLevel:{typeof(ReminderService).FullName}"] = "Debug",
        [$"Logging:LogLevel:{typeof(Consultation.Web.Infrastructure.Mail.MailOutboxSender).FullName}"] = "Debug",
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Database = await TestDatabase.CreateAsync(Path.Combine(Root, "consultation.db"));
        Smtp = await SmtpPeer.StartAsync();
        Redis = await RedisPeer.StartAsync();
        // A first: it applies the migrations and seeds the demo accounts; B then joins the same database.
        A = await AppProcess.StartAsync(Settings(seed: true));
        B = await AppProcess.StartAsync(Settings(seed: false));
    }

    public async Task DisposeAsync()
    {
        if (B is not null) await B.DisposeAsync();
        if (A is not null) await A.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        if (Smtp is not null) await Smtp.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Database is not null) await Database.DisposeAsync();
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed class TwoInstancesTests(TwoInstances apps) : IClassFixture<TwoInstances>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in _owned) await d.DisposeAsync();
    }

    private Person PersonOn(AppProcess app)
    {
        var p = new Person(app.BaseUrl);
        _owned.Add(p);
        return p;
    }

    /// <summary>A hub connection to <paramref name="app"/> carrying <paramref name="person"/>'s cookies (the cookie jar ignores the port).</summary>
    private HubConnection HubOn(AppProcess app, Person person)
    {
        var hub = new HubConnectionBuilder().WithUrl(new Uri(app.BaseUrl, WorkshopsExtensions.HubPath), o => o.Cookies = person.Cookies).Build();
        _owned.Add(hub);
        return hub;
    }

    private static string Json(LiveResult? result) => JsonSerializer.Serialize(result);

    [Fact]
    public async Task Participants_on_instance_A_and_the_projector_on_instance_B_see_the_same_live_results()
    {
        var facilitator = PersonOn(apps.A);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(facilitator.Http, "facilitator@demo.local")).StatusCode);
        var round = await SeedRoundAsync(apps.Database.Connection);
        var id = await CreateWorkshopAsync(facilitator.Http, round, "Two instances", "Pseudonymous", new Agenda(ExerciseTypes.SocialTolerance));
        var code = await JoinCodeAsync(apps.Database.Connection, id);

        var control = HubOn(apps.A, facilitator);
        var controlResults = new Inbox<ResultsDto>(control, "results");
        await control.StartAsync();
        await control.WatchAsync(id, control: true);
        // The projector is on the other instance, signed in with the cookie instance A issued.
        var screen = HubOn(apps.B, facilitator);
        var screenResults = new Inbox<ResultsDto>(screen, "results");
        var screenStates = new Inbox<WorkshopStateDto>(screen, "state");
        await screen.StartAsync();
        await screen.WatchAsync(id, control: false);

        Assert.True((await control.ActAsync(id, WorkshopCommands.Next)).Ok);
        var ana = PersonOn(apps.A);
        await JoinAsync(ana, code, "Ana", "NGO");
        var anaHub = ana.Hub();
        var anaStates = new Inbox<WorkshopStateDto>(anaHub, "state");
        await anaHub.StartAsync();
        var exercise = (await anaHub.JoinAsync(id)).State.Exercise!;
        var marko = PersonOn(apps.A);
        await JoinAsync(marko, code, "Marko", "ACADEMIC");
        var markoHub = marko.Hub();
        await markoHub.StartAsync();
        await markoHub.JoinAsync(id);
        // A third participant is on instance B.
        var petra = PersonOn(apps.B);
        await JoinAsync(petra, code, "Petra", "NGO");
        var petraHub = petra.Hub();
        await petraHub.StartAsync();
        await petraHub.JoinAsync(id);
        await screenStates.WaitForAsync(s => s.Exercise?.Id == exercise.Id && s.Exercise.State == "Open");

        Assert.True((await anaHub.ScoreAsync(exercise.Id, "DRUGS", 4)).Ok);
        var onBInstance = await petraHub.ScoreAsync(exercise.Id, "DRUGS", 3);
        var last = await markoHub.ScoreAsync(exercise.Id, "DRUGS", 2);
        Assert.True(onBInstance.Ok && last.Ok);
        // One version sequence for the exercise, whichever instance acknowledged the score.
        Assert.Equal(onBInstance.Version + 1, last.Version);

        // Both screens end on the same results, and count the participants of both instances.
        var onB = await screenResults.WaitForAsync(r => r.Version >= last.Version && r.Result is not null && r.Connected == 3, 10_000);
        var onA = await controlResults.WaitForAsync(r => r.Version >= last.Version && r.Result is not null && r.Connected == 3, 10_000);
        var drugs = onB.Result!.Items.Single(i => i.Key == "DRUGS");
        Assert.Equal([0, 1, 1, 1, 0], drugs.Histogram);
        Assert.Equal(Json(onA.Result), Json(onB.Result));
        Assert.Equal((3, 3), (onA.Answered, onB.Answered));

        // The facilitator locks the exercise on instance B. Instance A has cached the exercise as open for scoring;
        // its next score must still be refused, and Ana's page on A hears of the lock through Redis.
        var controlOnB = HubOn(apps.B, facilitator);
        await controlOnB.StartAsync();
        Assert.True((await controlOnB.ActAsync(id, WorkshopCommands.Lock)).Ok);
        var refused = await anaHub.ScoreAsync(exercise.Id, "THB", 3);
        Assert.False(refused.Ok);
        Assert.Equal(WorkshopRefusals.Locked, refused.Code);
        Assert.Equal(0L, await ScalarAsync<long>(apps.Database.Connection, "SELECT COUNT(*) FROM scores WHERE exercise_id = @Id AND item_key = 'THB'", new { exercise.Id }));
        await anaStates.WaitForAsync(s => s.Exercise?.Id == exercise.Id && s.Exercise.State == "Locked", 10_000);
    }

    [Fact]
    public async Task Sign_in_on_instance_A_is_accepted_by_instance_B_and_the_other_way_round()
    {
        var anonymousOnB = PersonOn(apps.B);
        Assert.Equal(HttpStatusCode.Redirect, (await anonymousOnB.Http.GetAsync("/Rounds")).StatusCode);

        var coordinator = PersonOn(apps.A);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(coordinator.Http, "coordinator@demo.local")).StatusCode);
        using var sameBrowserOnB = new HttpClient(new HttpClientHandler { CookieContainer = coordinator.Cookies, AllowAutoRedirect = false }) { BaseAddress = apps.B.BaseUrl };
        var page = await sameBrowserOnB.GetAsync("/Rounds");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // The sign-in form (and its antiforgery token) from B, posted to A: the token and B's cookie open on A too.
        var respondent = PersonOn(apps.B);
        var login = await Forms.PostAsync(respondent.Http, "/Account/Login",
            new Dictionary<string, string> { ["Input.Email"] = "respondent@demo.local", ["Input.Password"] = Consultation.Web.Operations.DemoData.Password },
            new Uri(apps.A.BaseUrl, "/Account/Login").ToString());
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await respondent.Http.GetAsync("/Respond")).StatusCode);
    }

    [Fact]
    public async Task Automatic_reminder_due_on_both_instances_is_sent_once()
    {
        const string group484 = "respondent2@demo.local";
        var now = DateTimeOffset.UtcNow;
        long roundId;
        await using (var conn = apps.Database.Connection())
        {
            await conn.OpenAsync();
            roundId = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO rounds (title, opens_at, closes_at, status, reminder_days_before_close, created_at, updated_at)
                VALUES ('Two-instance reminder', @opens, @closes, 'Open', 3, @opens, @opens) RETURNING id
                """, new { opens = Iso(now.AddDays(-1)), closes = Iso(now.AddDays(2)) });
            await conn.ExecuteAsync("""
                INSERT INTO round_organisations (round_id, organisation_id, invited_at)
                SELECT @roundId, id, @at FROM organisations WHERE name = 'Group 484'
                """, new { roundId, at = Iso(now) });
        }

        await apps.Smtp.WaitForMessageAsync(group484, m => (m.Subject ?? "").Contains("Two-instance reminder", StringComparison.Ordinal), timeout: TimeSpan.FromSeconds(30));

        // Both instances run their pass every second. Wait until the lease holder has renewed its lease twice more
        // and the other instance has skipped twice more since the mail went out: neither sent it again.
        var holder = await ScalarAsync<string>(apps.Database.Connection, "SELECT holder FROM leases WHERE name = @LeaseName", new { ReminderService.LeaseName });
        var (holding, other) = holder.Contains($"/{apps.A.ProcessId}/", StringComparison.Ordinal) ? (apps.A, apps.B) : (apps.B, apps.A);
        Assert.Contains($"/{holding.ProcessId}/", holder, StringComparison.Ordinal);
        var expires = await ScalarAsync<string>(apps.Database.Connection, "SELECT expires_at FROM leases WHERE name = @LeaseName", new { ReminderService.LeaseName });
        var skipped = other.CountLines($"Skipping {ReminderService.LeaseName}");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (other.CountLines($"Skipping {ReminderService.LeaseName}") < skipped + 2
               || string.CompareOrdinal(await ScalarAsync<string>(apps.Database.Connection, "SELECT expires_at FROM leases WHERE name = @LeaseName", new { ReminderService.LeaseName }),
                   Iso(DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture).AddSeconds(2))) < 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "Both instances should have run two more passes within 30 s.");
            await Task.Delay(200);
        }

        Assert.Equal(1, apps.Smtp.Messages().Count(m => (m.Subject ?? "").Contains("Two-instance reminder", StringComparison.Ordinal)
            && m.To.Mailboxes.Any(b => b.Address == group484)));
        Assert.Equal(1L, await ScalarAsync<long>(apps.Database.Connection, "SELECT COUNT(*) FROM reminders_sent WHERE round_id = @roundId", new { roundId }));
    }

    [Fact]
    public async Task Mail_in_the_outbox_is_sent_once_by_the_instance_holding_its_lease()
    {
        const string To = "outbox-two@demo.local";
        var now = Iso(DateTimeOffset.UtcNow);
        var subjects = Enumerable.Range(1, 20).Select(i => $"Two-instance outbox {i:00}").ToList();
        await using (var conn = apps.Database.Connection())
        {
            await conn.OpenAsync();
            foreach (var subject in subjects)
            {
                await conn.ExecuteAsync("""
                    INSERT INTO mail_outbox (recipient, subject, text_body, created_at, next_attempt_at) VALUES (@To, @subject, 'body', @now, @now)
                    """, new { To, subject, now });
            }
        }

        // Both instances look every 5 s; only the holder of the lease sends.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (apps.Smtp.CountTo(To) < subjects.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Only {apps.Smtp.CountTo(To)} of {subjects.Count} outbox messages arrived within 30 s.");
            await Task.Delay(200);
        }
        var holder = await ScalarAsync<string>(apps.Database.Connection, "SELECT holder FROM leases WHERE name = @LeaseName",
            new { Consultation.Web.Infrastructure.Mail.MailOutboxSender.LeaseName });
        var other = holder.Contains($"/{apps.A.ProcessId}/", StringComparison.Ordinal) ? apps.B : apps.A;
        // The other instance's next passes skip (it says so at Debug), and nothing arrives twice.
        var skipped = other.CountLines($"Skipping {Consultation.Web.Infrastructure.Mail.MailOutboxSender.LeaseName}");
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (other.CountLines($"Skipping {Consultation.Web.Infrastructure.Mail.MailOutboxSender.LeaseName}") < skipped + 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "The instance without the lease should have skipped a pass within 30 s.");
            await Task.Delay(200);
        }

        var received = apps.Smtp.Messages().Where(m => m.To.Mailboxes.Any(b => b.Address == To)).Select(m => m.Subject).ToList();
        Assert.Equal(subjects, received.Order(StringComparer.Ordinal));
        Assert.Equal(0L, await ScalarAsync<long>(apps.Database.Connection, "SELECT COUNT(*) FROM mail_outbox WHERE recipient = @To AND sent_at IS NULL", new { To }));
    }

    private static string Iso(DateTimeOffset t) => Consultation.Web.Infrastructure.Data.DapperSetup.Format(t);
}
