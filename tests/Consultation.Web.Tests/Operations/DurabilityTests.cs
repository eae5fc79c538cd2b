using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Consultation.Core.Workshops;
using Consultation.Web.Tests.Pages.Workshops;
using Consultation.Web.Workshops;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;
using static Consultation.Web.Tests.Pages.Workshops.WorkshopSteps;

namespace Consultation.Web.Tests.Operations;

/// <summary>
/// Issue 6, "Durability": the built app as its own process under fifty concurrent clients, killed with SIGKILL
/// in the middle of the load and started again on the same SQLite file. Whatever the server acknowledged must
/// be there afterwards, intact; the file must pass <c>PRAGMA integrity_check</c>. Also an online backup taken
/// under the same load, and a restore from it.
/// </summary>
public sealed class DurabilityTests(DurabilitySeed seed, ITestOutputHelper output) : IClassFixture<DurabilitySeed>
{
    private sealed record StoredResponse
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string Status { get; init; } = "";
        public long Revision { get; init; }
        public string DataJson { get; init; } = "";
    }

    private sealed record StoredRevision
    {
        public long ResponseId { get; init; }
        public long RevisionNo { get; init; }
        public string DataJson { get; init; } = "";
    }

    private readonly List<string> _phases = [];
    private readonly Stopwatch _phase = Stopwatch.StartNew();

    /// <summary>Notes how long the step that just ended took, for the test output.</summary>
    private void Phase(string name)
    {
        _phases.Add($"{name} {_phase.Elapsed.TotalSeconds:F1} s");
        _phase.Restart();
    }

    private string Phases => string.Join(", ", _phases);

    private static SqliteConnection Open(string path) => new($"Data Source={path};Pooling=False");

    private static async Task<string> IntegrityAsync(string path)
    {
        await using var conn = Open(path);
        return string.Join("; ", await conn.QueryAsync<string>("PRAGMA integrity_check"));
    }

    private async Task<(Dictionary<string, StoredResponse> Responses, ILookup<long, StoredRevision> Revisions, Dictionary<long, long> Audited)> ReadAsync(string path)
    {
        await using var conn = Open(path);
        var responses = (await conn.QueryAsync<StoredResponse>("""
            SELECT rs.id, u.email, rs.status, rs.revision, rs.data_json
              FROM responses rs JOIN users u ON u.id = rs.respondent_user_id
              JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id
             WHERE v.questionnaire_id = @QuestionnaireId
            """, new { seed.QuestionnaireId })).ToDictionary(r => r.Email);
        var revisions = (await conn.QueryAsync<StoredRevision>("SELECT response_id, revision_no, data_json FROM response_revisions ORDER BY response_id, revision_no"))
            .ToLookup(r => r.ResponseId);
        // Submissions are audited in the same transaction: one entry per kept revision.
        var audited = (await conn.QueryAsync<(string Target, long Count)>("""
            SELECT target, COUNT(*) FROM audit_log WHERE action IN ('response.submitted', 'response.amended') GROUP BY target
            """)).ToDictionary(a => long.Parse(a.Target["response:".Length..], System.Globalization.CultureInfo.InvariantCulture), a => a.Count);
        return (responses, revisions, audited);
    }

    /// <summary>
    /// After a crash: every client's last acknowledged write is there — or the one request it had in flight,
    /// applied on top (revision + 1) — and every acknowledged submission is kept as the revision it was told.
    /// </summary>
    private async Task AssertAcknowledgedWritesSurviveAsync(RespondentLoad load, string path)
    {
        var (responses, revisions, audited) = await ReadAsync(path);
        var problems = new List<string>();
        foreach (var c in load.Clients)
        {
            var acked = c.Acked;
            var last = acked.Count == 0 ? null : acked[^1];
            if (last is null) continue;
            if (!responses.TryGetValue(c.Email, out var row)) { problems.Add($"{c.Email}: acknowledged revision {last.AckRevision} but no response"); continue; }
            if (row.Revision == last.AckRevision)
            {
                if (!SameJson(row.DataJson, last.DataJson)) problems.Add($"{c.Email}: revision {row.Revision} holds {row.DataJson}, acknowledged {last.DataJson}");
            }
            else if (row.Revision == last.AckRevision + 1)
            {
                // The unacknowledged request in flight when the server died may have committed: then it is intact too.
                var inFlight = c.Sent.LastOrDefault(o => !o.Acknowledged && o.BaseRevision == last.AckRevision);
                if (inFlight is null || !SameJson(row.DataJson, inFlight.DataJson))
                    problems.Add($"{c.Email}: revision {row.Revision} holds {row.DataJson}, which this client never sent at revision {last.AckRevision}");
            }
            else
            {
                problems.Add($"{c.Email}: revision {row.Revision} in the database, {last.AckRevision} acknowledged");
            }

            var kept = revisions[row.Id].ToList();
            foreach (var submit in c.Acked.Where(o => o.Kind == "submit"))
            {
                var revision = kept.FirstOrDefault(r => r.RevisionNo == submit.AckRevisionNo);
                if (revision is null || !SameJson(revision.DataJson, submit.DataJson))
                    problems.Add($"{c.Email}: acknowledged submission revision {submit.AckRevisionNo} is {(revision is null ? "missing" : "changed: " + revision.DataJson)}");
            }
            AssertRevisionsConsistent(c, row, kept, audited, problems);
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Revisions numbered 1..n without gaps, each one something this client submitted, each audited once; a submitted response has one.</summary>
    private static void AssertRevisionsConsistent(RespondentClient c, StoredResponse row, List<StoredRevision> kept,
        Dictionary<long, long> audited, List<string> problems)
    {
        if (!kept.Select(r => r.RevisionNo).SequenceEqual(Enumerable.Range(1, kept.Count).Select(i => (long)i)))
            problems.Add($"{c.Email}: revision numbers {string.Join(",", kept.Select(r => r.RevisionNo))}");
        if (row.Status == "Submitted" && kept.Count == 0) problems.Add($"{c.Email}: submitted without a revision");
        if (audited.GetValueOrDefault(row.Id) != kept.Count) problems.Add($"{c.Email}: {kept.Count} revisions but {audited.GetValueOrDefault(row.Id)} audit entries");
        foreach (var r in kept)
            if (!c.Sent.Any(o => o.Kind == "submit" && SameJson(o.DataJson, r.DataJson)))
                problems.Add($"{c.Email}: revision {r.RevisionNo} holds answers this client never submitted: {r.DataJson}");
    }

    [SqliteOnlyFact("the app process runs on a SQLite file it SIGKILLs, backs up and checks with PRAGMA integrity_check")]
    public async Task Every_acknowledged_save_and_submission_survives_SIGKILL_under_fifty_concurrent_respondents()
    {
        var clock = Stopwatch.StartNew();
        var folder = seed.NewFolder("kill");
        await using var first = new PortalProcess(folder);
        _phase.Restart();
        await first.StartAsync();
        Phase("start");
        using var load = new RespondentLoad(first.BaseUrl, seed.QuestionnaireId);
        await load.StartAsync();
        Phase("sign in 50");
        var loadStarted = clock.Elapsed;

        // Mid-load: every client is saving or submitting; on a busy machine reaching the mark takes longer.
        await load.WaitForAcksAsync(200, TimeSpan.FromSeconds(30), submits: 20);
        await first.KillAsync();
        Phase("load until SIGKILL");
        var killedAt = clock.Elapsed;
        await load.StopAsync();
        Assert.Empty(load.Unexpected);
        var saves = load.AckedSaves;
        var submits = load.AckedSubmits;
        var inFlight = load.Clients.Count(c => c.Sent.Count > 0 && !c.Sent[^1].Acknowledged);
        Assert.True(saves >= 50 && submits >= 10, $"Only {saves} saves and {submits} submissions were acknowledged before the kill.");

        await using var second = new PortalProcess(folder, first.Port);
        await second.StartAsync();
        Phase("restart");
        Assert.Equal("ok", await IntegrityAsync(second.DatabasePath));
        await AssertAcknowledgedWritesSurviveAsync(load, second.DatabasePath);
        Phase("check database");

        // The restarted app serves the same answers to the same (still signed-in) browsers.
        var (responses, _, _) = await ReadAsync(second.DatabasePath);
        await Task.WhenAll(load.Clients.Where(c => responses.ContainsKey(c.Email)).Select(async c =>
        {
            var form = await OpenFormAsync(c.Http, seed.QuestionnaireId);
            Assert.Equal(responses[c.Email].Revision, form.State.GetProperty("revision").GetInt64());
            Assert.True(SameJson(responses[c.Email].DataJson, form.State.GetProperty("data").GetRawText()));
        }));
        Phase("check forms over HTTP");
        output.WriteLine($"Acknowledged before SIGKILL: {saves} saves and {submits} submissions from {load.Clients.Count} clients " +
                         $"({load.Unavailable} answered 503); {inFlight} requests in flight at the kill; load ran {(killedAt - loadStarted).TotalSeconds:F1} s; " +
                         $"whole test {clock.Elapsed.TotalSeconds:F1} s ({Phases}).");
    }

    [SqliteOnlyFact("the app process runs on a SQLite file it SIGKILLs, backs up and checks with PRAGMA integrity_check")]
    public async Task Every_acknowledged_workshop_score_survives_SIGKILL_under_fifty_participants()
    {
        var clock = Stopwatch.StartNew();
        var folder = seed.NewFolder("workshop");
        await using var first = new PortalProcess(folder);
        _phase.Restart();
        await first.StartAsync();
        Phase("start");

        await using var facilitator = new Person(first.BaseUrl);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(facilitator.Http, "facilitator@demo.local")).StatusCode);
        var workshopId = await CreateWorkshopAsync(facilitator.Http, seed.RoundId, "Durability workshop", "Pseudonymous",
            new Agenda(ExerciseTypes.SocialTolerance), new Agenda(ExerciseTypes.Poll, Question: "Last"));
        var code = await JoinCodeAsync(first.DatabasePath, workshopId);
        var control = facilitator.Hub();
        await control.StartAsync();
        Assert.True((await control.ActAsync(workshopId, WorkshopCommands.Next)).Ok);
        await control.StopAsync();

        var participants = Enumerable.Range(0, DurabilitySeed.Count).Select(i => new Participant($"P{i:00}", first.BaseUrl)).ToList();
        try
        {
            using (var gate = new SemaphoreSlim(10))
                await Task.WhenAll(participants.Select(async p =>
                {
                    await gate.WaitAsync();
                    try { await p.JoinAsync(code, workshopId); } finally { gate.Release(); }
                }));
            Phase("workshop and 50 joins");
            var exercise = participants[0].Exercise!;
            Assert.Equal(ExerciseTypes.SocialTolerance, exercise.Type);
            Assert.Equal("Open", exercise.State);

            using var stop = new CancellationTokenSource();
            var loadStarted = clock.Elapsed;
            var running = participants.Select(p => Task.Run(() => p.ScoreAsync(exercise.Id, stop.Token))).ToList();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (participants.Sum(p => p.Acked) < 400 && DateTime.UtcNow < deadline && running.Any(t => !t.IsCompleted)) await Task.Delay(20);
            await first.KillAsync();
            Phase("load until SIGKILL");
            var killedAt = clock.Elapsed;
            await stop.CancelAsync();
            await Task.WhenAll(running);
            var acked = participants.Sum(p => p.Acked);
            Assert.True(acked >= 100, $"Only {acked} scores were acknowledged before the kill.");
            Assert.Empty(participants.SelectMany(p => p.Refused));

            await using var second = new PortalProcess(folder, first.Port);
            await second.StartAsync();
            Phase("restart");
            Assert.Equal("ok", await IntegrityAsync(second.DatabasePath));

            await using var conn = Open(second.DatabasePath);
            var stored = (await conn.QueryAsync<(string Name, string Item, long Value)>("""
                SELECT p.display_name, s.item_key, s.value FROM scores s JOIN participants p ON p.id = s.participant_id WHERE s.exercise_id = @Id
                """, new { exercise.Id })).ToDictionary(s => (s.Name, s.Item), s => (int)s.Value);
            var problems = participants.SelectMany(p => p.Check(stored)).ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));

            // The participants' phones reconnect to the restarted server and see their own answers.
            foreach (var found in await Task.WhenAll(participants.Select(p => p.ResyncAndCheckAsync(workshopId, stored)))) problems.AddRange(found);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            Phase("check database and 50 resyncs");
            output.WriteLine($"Acknowledged before SIGKILL: {acked} scores from {participants.Count} participants; " +
                             $"load ran {(killedAt - loadStarted).TotalSeconds:F1} s; whole test {clock.Elapsed.TotalSeconds:F1} s ({Phases}).");
        }
        finally
        {
            foreach (var p in participants) await p.DisposeAsync();
        }
    }

    [SqliteOnlyFact("the app process runs on a SQLite file it SIGKILLs, backs up and checks with PRAGMA integrity_check")]
    public async Task Backup_taken_under_load_is_consistent_migrates_and_restores()
    {
        var clock = Stopwatch.StartNew();
        var folder = seed.NewFolder("backup");
        var backupFile = Path.Combine(folder, "backups", "under-load.db");
        await using var app = new PortalProcess(folder);
        _phase.Restart();
        await app.StartAsync();
        Phase("start");
        using var load = new RespondentLoad(app.BaseUrl, seed.QuestionnaireId);
        await load.StartAsync();
        Phase("sign in 50");
        await load.WaitForAcksAsync(100, TimeSpan.FromSeconds(30));
        Phase("load");

        var ackedBefore = load.AckedSaves + load.AckedSubmits;
        var backup = await PortalProcess.CommandAsync(folder, app.DatabasePath, "backup", "--to", backupFile);
        var ackedDuring = load.AckedSaves + load.AckedSubmits - ackedBefore;
        Assert.True(backup.Exit == 0, backup.Err + backup.Out);
        Phase("backup command");
        await load.WaitForAcksAsync(load.AckedSaves + load.AckedSubmits + 20, TimeSpan.FromSeconds(5));
        await load.StopAsync();
        Assert.Empty(load.Unexpected);
        Assert.True(ackedDuring > 0, "No write was acknowledged while the backup ran: it did not run under load.");

        // The copy is one consistent moment: intact, and every response is something its client sent for that revision.
        Assert.Equal("ok", await IntegrityAsync(backupFile));
        var (responses, revisions, audited) = await ReadAsync(backupFile);
        Assert.NotEmpty(responses);
        var problems = new List<string>();
        foreach (var c in load.Clients)
        {
            if (!responses.TryGetValue(c.Email, out var row)) continue;
            if (!c.Sent.Any(o => o.BaseRevision == row.Revision - 1 && SameJson(o.DataJson, row.DataJson)))
                problems.Add($"{c.Email}: revision {row.Revision} holds {row.DataJson}, which this client never sent for it");
            AssertRevisionsConsistent(c, row, revisions[row.Id].ToList(), audited, problems);
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Phase("check copy");

        // It opens and migrates like any database of the app.
        var migrate = await PortalProcess.CommandAsync(folder, backupFile, "migrate");
        Assert.True(migrate.Exit == 0, migrate.Err);
        Assert.Contains("Database is up to date.", migrate.Out, StringComparison.Ordinal);
        Phase("migrate command");

        // Restore as the README says: stop the app, replace the file (and drop the old WAL), start it.
        await app.StopAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(app.DatabasePath + suffix);
        File.Copy(backupFile, app.DatabasePath);
        await using var restored = new PortalProcess(folder, app.Port);
        await restored.StartAsync();
        Phase("stop, restore, start");
        foreach (var c in load.Clients.Where(c => responses.ContainsKey(c.Email)).Take(5))
        {
            using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = restored.BaseUrl };
            Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(http, c.Email)).StatusCode);
            var form = await OpenFormAsync(http, seed.QuestionnaireId);
            Assert.Equal(responses[c.Email].Revision, form.State.GetProperty("revision").GetInt64());
            Assert.True(SameJson(responses[c.Email].DataJson, form.State.GetProperty("data").GetRawText()));
        }
        output.WriteLine($"Backup under load: {ackedDuring} writes acknowledged while it ran, {load.AckedSaves} saves and {load.AckedSubmits} submissions in all; " +
                         $"{responses.Count} responses in the copy; whole test {clock.Elapsed.TotalSeconds:F1} s ({Phases}).");
    }

    /// <summary>A workshop participant's phone: joins on the join page, scores over SignalR, remembers every acknowledgement.</summary>
    private sealed class Participant(string name, Uri baseUrl) : IAsyncDisposable
    {
        private readonly Person _person = new(baseUrl);
        private HubConnection _hub = null!;
        private readonly List<(string Item, int Value, bool Acked)> _sent = [];
        public ExerciseDto? Exercise { get; private set; }
        public int Acked => _sent.Count(s => s.Acked);
        public List<string> Refused { get; } = [];

        public async Task JoinAsync(string code, long workshopId)
        {
            await WorkshopSteps.JoinAsync(_person, code, name);
            _hub = _person.Hub();
            await _hub.StartAsync();
            Exercise = (await _hub.JoinAsync(workshopId)).State.Exercise;
        }

        public async Task ScoreAsync(long exerciseId, CancellationToken stop)
        {
            var items = Exercise!.Items;
            for (var k = 0; !stop.IsCancellationRequested; k++)
            {
                var item = items[k % items.Count];
                var value = (k + name.Length) % 5 + 1;
                _sent.Add((item, value, false));
                try
                {
                    var ack = await _hub.ScoreAsync(exerciseId, item, value);
                    if (ack.Ok) _sent[^1] = (item, value, true);
                    else { Refused.Add($"{name}: {item}={value} refused: {ack.Code}"); return; }
                }
                catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException
                                           or Microsoft.AspNetCore.SignalR.HubException)
                {
                    return; // the connection died with the server
                }
            }
        }

        /// <summary>Each item holds its last acknowledged score, or the one in flight after it.</summary>
        public IEnumerable<string> Check(Dictionary<(string Name, string Item), int> stored)
        {
            foreach (var item in _sent.Select(s => s.Item).Distinct())
            {
                var lastAck = _sent.FindLastIndex(s => s.Item == item && s.Acked);
                var allowed = _sent.Skip(lastAck < 0 ? 0 : lastAck).Where((s, i) => s.Item == item && (i == 0 || !s.Acked)).Select(s => s.Value).ToList();
                var has = stored.TryGetValue((name, item), out var value);
                if (lastAck >= 0 && !has) yield return $"{name}: acknowledged {item}={_sent[lastAck].Value} is missing";
                else if (has && !allowed.Contains(value)) yield return $"{name}: {item}={value}, acknowledged {(lastAck >= 0 ? _sent[lastAck].Value : "nothing")}";
            }
        }

        public async Task<IEnumerable<string>> ResyncAndCheckAsync(long workshopId, Dictionary<(string Name, string Item), int> stored)
        {
            var deadline = Stopwatch.StartNew();
            ParticipantSyncDto sync;
            while (true)
            {
                while (_hub.State != HubConnectionState.Connected && deadline.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(100);
                try { sync = await _hub.JoinAsync(workshopId); break; }
                catch (InvalidOperationException) when (deadline.Elapsed < TimeSpan.FromSeconds(60)) { await Task.Delay(200); }
            }
            var mine = stored.Where(s => s.Key.Item1 == name).ToDictionary(s => s.Key.Item2, s => s.Value);
            var seen = sync.Answers.ToDictionary(a => a.Key, a => a.Value.Single());
            return mine.Count == seen.Count && mine.All(m => seen.GetValueOrDefault(m.Key) == m.Value)
                ? []
                : [$"{name} sees {JsonSerializer.Serialize(seen)} after the restart; the database holds {JsonSerializer.Serialize(mine)}"];
        }

        public async ValueTask DisposeAsync() => await _person.DisposeAsync();
    }
}
