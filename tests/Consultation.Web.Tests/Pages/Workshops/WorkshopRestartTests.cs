using System.Diagnostics;
using Consultation.Core.Workshops;
using Consultation.Web.Workshops;
using Microsoft.AspNetCore.SignalR.Client;
using static Consultation.Web.Tests.Pages.Workshops.WorkshopSteps;

namespace Consultation.Web.Tests.Pages.Workshops;

/// <summary>A server restart in the middle of a workshop: a new app on the same database file and port.</summary>
public sealed class WorkshopRestartTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "consultation-restart-" + Guid.NewGuid().ToString("N"));
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(Path.Combine(_data, "consultation.db"));

    public async Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await _database.DisposeAsync();
        try { Directory.Delete(_data, true); } catch (IOException) { }
    }

    /// <summary>
    /// What the participant page does after a reconnect: join again for the whole state. On a loaded machine the
    /// first transport after a restart can drop once more; the client reconnects again and the page retries.
    /// </summary>
    private static async Task<ParticipantSyncDto> ResyncAsync(HubConnection hub, long workshopId)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            while (hub.State != HubConnectionState.Connected && deadline.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(100);
            try { return await hub.JoinAsync(workshopId); }
            catch (InvalidOperationException) when (deadline.Elapsed < TimeSpan.FromSeconds(60)) { await Task.Delay(200); }
        }
    }

    [Fact]
    public async Task Clients_reconnect_after_a_server_restart_and_find_the_workshop_and_their_answers_intact()
    {
        var first = new LivePortal(_data, 0, _database);
        await first.InitializeAsync();
        var port = first.Port;
        await using var facilitator = await FacilitatorAsync(first);
        var round = await SeedRoundAsync(first);
        var id = await CreateWorkshopAsync(facilitator.Http, round, "Restart workshop", "Pseudonymous",
            new Agenda(ExerciseTypes.Poll, Question: "First question"), new Agenda(ExerciseTypes.SocialTolerance), new Agenda(ExerciseTypes.Poll, Question: "Last"));
        var code = await JoinCodeAsync(first, id);
        var control = facilitator.Hub();
        await control.StartAsync();
        await control.ActAsync(id, WorkshopCommands.Next);
        await control.ActAsync(id, WorkshopCommands.Next);

        await using var participant = new Person(first.BaseUrl);
        await JoinAsync(participant, code, "Stefan");
        var hub = participant.Hub();
        var reconnected = new TaskCompletionSource();
        hub.Reconnected += _ => { reconnected.TrySetResult(); return Task.CompletedTask; };
        await hub.StartAsync();
        var before = await hub.JoinAsync(id);
        var exerciseId = before.State.Exercise!.Id;
        Assert.True((await hub.ScoreAsync(exerciseId, "DRUGS", 4)).Ok);
        Assert.True((await hub.ScoreAsync(exerciseId, "THB", 2)).Ok);

        var stopping = Stopwatch.StartNew();
        await first.DisposeAsync(); // the server stops: the client starts reconnecting
        var stopped = stopping.Elapsed;
        var second = new LivePortal(_data, port, _database);
        await second.InitializeAsync();
        try
        {
            try { await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(60)); }
            catch (TimeoutException) { Assert.Fail($"No reconnection (client state {hub.State}); stopping the first server took {stopped}."); }
            var after = await ResyncAsync(hub, id);

            Assert.Equal(exerciseId, after.State.Exercise!.Id);
            Assert.Equal(ExerciseTypes.SocialTolerance, after.State.Exercise.Type);
            Assert.Equal("Open", after.State.Exercise.State);
            Assert.Equal([4], after.Answers["DRUGS"]);
            Assert.Equal([2], after.Answers["THB"]);
            Assert.True((await hub.ScoreAsync(exerciseId, "CYBER", 5)).Ok);

            // The facilitator's sign-in survives too (keys on disk) and the workshop continues where it was.
            var control2 = facilitator.Hub();
            await control2.StartAsync();
            var watch = await control2.WatchAsync(id, control: true);
            Assert.Equal(exerciseId, watch.State.Exercise!.Id);
            Assert.Equal(1, watch.Results.Answered);
            Assert.True((await control2.ActAsync(id, WorkshopCommands.Next)).Ok);
        }
        finally
        {
            await hub.DisposeAsync();
            await second.DisposeAsync();
        }
    }
}
