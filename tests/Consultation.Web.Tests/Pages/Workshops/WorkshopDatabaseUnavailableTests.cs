using Consultation.Core.Workshops;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Workshops;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using static Consultation.Web.Tests.Pages.Workshops.WorkshopSteps;

namespace Consultation.Web.Tests.Pages.Workshops;

/// <summary>The live portal with writers that give up on a lock after 200 ms, so a held lock shows at once.</summary>
public sealed class ImpatientLivePortal : LivePortal
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [.. base.Settings, new("Database:BusyTimeoutMs", "200")];
}

/// <summary>
/// The workshop hub when the database cannot take a write (issue 6, "Durability"): the caller gets a clear,
/// retryable answer — a refusal with code <c>database.unavailable</c> and a retry delay for scores and factors, a
/// localized <see cref="HubException"/> for a resync — the connection stays up, and the same call goes through
/// once the database is back.
/// </summary>
public sealed class WorkshopDatabaseUnavailableTests(ImpatientLivePortal app) : IClassFixture<ImpatientLivePortal>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _people = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _people) await p.DisposeAsync();
    }

    /// <summary>Another process's write transaction on the file: every other writer gets SQLITE_BUSY.</summary>
    private async Task<SqliteConnection> HoldWriteLockAsync()
    {
        var conn = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await conn.OpenAsync();
        await conn.ExecuteAsync("BEGIN IMMEDIATE");
        return conn;
    }

    [SqliteOnlyFact("locks the SQLite file under the server")]
    public async Task Scores_on_a_locked_database_get_a_retryable_busy_answer_and_go_through_once_it_is_released()
    {
        var facilitator = await FacilitatorAsync(app);
        _people.Add(facilitator);
        var round = await SeedRoundAsync(app);
        var id = await CreateWorkshopAsync(facilitator.Http, round, "Skopje workshop", "Pseudonymous",
            new Agenda(ExerciseTypes.SocialTolerance), new Agenda(ExerciseTypes.Pestle));
        var control = facilitator.Hub();
        await control.StartAsync();
        Assert.True((await control.ActAsync(id, WorkshopCommands.Next)).Ok);

        var ana = new Person(app.BaseUrl);
        _people.Add(ana);
        await JoinAsync(ana, await JoinCodeAsync(app, id), "Ana");
        var hub = ana.Hub();
        await hub.StartAsync();
        var exercise = (await hub.JoinAsync(id)).State.Exercise!;
        Assert.True((await hub.ScoreAsync(exercise.Id, "DRUGS", 2)).Ok);
        // A participant reading in Serbian: the message comes in the language of their connection.
        var marko = new Person(app.BaseUrl);
        _people.Add(marko);
        marko.Cookies.Add(app.BaseUrl, new System.Net.Cookie(".AspNetCore.Culture", "c=sr-Latn|uic=sr-Latn"));
        await JoinAsync(marko, await JoinCodeAsync(app, id), "Marko");
        var markoHub = marko.Hub();
        await markoHub.StartAsync();
        await markoHub.JoinAsync(id);

        await using (var holder = await HoldWriteLockAsync())
        {
            var busy = await hub.ScoreAsync(exercise.Id, "DRUGS", 5);
            Assert.False(busy.Ok);
            Assert.Equal(TransientDatabaseFailures.Code, busy.Code);
            Assert.Equal(TransientDatabaseFailures.RetryAfterSeconds, busy.RetryAfterSeconds);

            // A resync that has to write (it records the participant's last visit) gets a clear, localized message
            // (SignalR puts its "An unexpected error occurred invoking 'Join'… HubException:" in front), not only the generic text.
            var join = await Assert.ThrowsAsync<HubException>(() => hub.JoinAsync(id));
            Assert.EndsWith("HubException: The database is busy. Nothing was lost: trying again in a moment.", join.Message, StringComparison.Ordinal);
            Assert.Equal(HubConnectionState.Connected, hub.State);
            var serbian = await Assert.ThrowsAsync<HubException>(() => markoHub.JoinAsync(id));
            Assert.EndsWith("Baza podataka je zauzeta. Ništa nije izgubljeno: pokušavamo ponovo za trenutak.", serbian.Message, StringComparison.Ordinal);

            // Nothing was written meanwhile: the earlier answer stands.
            Assert.Equal(2L, await holder.ExecuteScalarAsync<long>("SELECT value FROM scores WHERE exercise_id = @Id AND item_key = 'DRUGS'", new { exercise.Id }));
            await holder.ExecuteAsync("ROLLBACK");
        }

        // The page sends the same call again after the delay: now it is written and acknowledged, on the same connection.
        var retried = await hub.ScoreAsync(exercise.Id, "DRUGS", 5);
        Assert.True(retried.Ok, retried.Code);
        Assert.Equal(HubConnectionState.Connected, hub.State);
        Assert.Equal(5L, await ScalarAsync<long>(app, "SELECT value FROM scores WHERE exercise_id = @Id AND item_key = 'DRUGS'", new { exercise.Id }));
        Assert.Equal("Open", (await hub.JoinAsync(id)).State.Exercise!.State);

        // A PESTLE factor typed while the database is locked: the same busy answer, then stored once.
        Assert.True((await control.ActAsync(id, WorkshopCommands.Next)).Ok);
        var pestle = (await hub.JoinAsync(id)).State.Exercise!;
        await using (var holder = await HoldWriteLockAsync())
        {
            var busy = await hub.AddFactorAsync(pestle.Id, "LEGAL", "Weak witness protection");
            Assert.Equal(TransientDatabaseFailures.Code, busy.Code);
            await holder.ExecuteAsync("ROLLBACK");
        }
        Assert.True((await hub.AddFactorAsync(pestle.Id, "LEGAL", "Weak witness protection")).Ok);
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT COUNT(*) FROM pestle_factors WHERE exercise_id = @Id", new { pestle.Id }));
    }
}
