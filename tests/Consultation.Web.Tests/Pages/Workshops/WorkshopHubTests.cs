using System.Net;
using Consultation.Core.Workshops;
using Consultation.Web.Evidence;
using Microsoft.Extensions.DependencyInjection;
using Consultation.Web.Workshops;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Consultation.Web.Tests.Pages.Workshops.WorkshopSteps;

namespace Consultation.Web.Tests.Pages.Workshops;

/// <summary>The workshop hub with several real clients against the app on Kestrel and a real SQLite file.</summary>
public sealed class WorkshopHubTests(LivePortal app) : IClassFixture<LivePortal>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _people = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _people) await p.DisposeAsync();
    }

    private async Task<(Person Facilitator, HubConnection Control, long WorkshopId, string Code)> WorkshopAsync(params Agenda[] agenda)
    {
        var facilitator = await FacilitatorAsync(app);
        _people.Add(facilitator);
        var round = await SeedRoundAsync(app);
        var id = await CreateWorkshopAsync(facilitator.Http, round, "Belgrade civil society workshop", "Pseudonymous", agenda);
        var control = facilitator.Hub();
        await control.StartAsync();
        return (facilitator, control, id, await JoinCodeAsync(app, id));
    }

    private async Task<(Person Person, HubConnection Hub, ParticipantSyncDto Sync)> ParticipantAsync(long workshopId, string code, string name, string category = "NGO")
    {
        var p = new Person(app.BaseUrl);
        _people.Add(p);
        await JoinAsync(p, code, name, category);
        var hub = p.Hub();
        await hub.StartAsync();
        return (p, hub, await hub.JoinAsync(workshopId));
    }

    [Fact]
    public async Task Participants_join_score_and_the_screen_receives_results_that_include_their_scores()
    {
        var (facilitator, control, id, code) = await WorkshopAsync(new Agenda(ExerciseTypes.SocialTolerance));
        var screen = facilitator.Hub();
        var screenResults = new Inbox<ResultsDto>(screen, "results");
        await screen.StartAsync();
        var watch = await screen.WatchAsync(id, control: false);
        Assert.Null(watch.State.Exercise);

        Assert.True((await control.ActAsync(id, WorkshopCommands.Next)).Ok);
        var ana = await ParticipantAsync(id, code, "Ana", "NGO");
        var marko = await ParticipantAsync(id, code, "Marko", "ACADEMIC");
        var exercise = ana.Sync.State.Exercise!;
        Assert.Equal("Open", exercise.State);
        Assert.Equal(["DRUGS", "THB", "CYBER"], exercise.Items);

        var a1 = await ana.Hub.ScoreAsync(exercise.Id, "DRUGS", 4);
        Assert.True(a1.Ok);
        // Written before it was acknowledged.
        Assert.Equal(4L, await ScalarAsync<long>(app,
            "SELECT value FROM scores s JOIN participants p ON p.id = s.participant_id WHERE p.display_name = 'Ana' AND s.item_key = 'DRUGS'"));
        var a2 = await marko.Hub.ScoreAsync(exercise.Id, "DRUGS", 2);
        Assert.True(a2.Ok);

        var results = await screenResults.WaitForAsync(r => r.Version >= a2.Version && r.Result is not null);
        var drugs = results.Result!.Items.Single(i => i.Key == "DRUGS");
        Assert.Equal([0, 1, 0, 1, 0], drugs.Histogram);
        Assert.Equal(3.0, drugs.WeightedMean);
        Assert.Equal(2, results.Connected);
        Assert.Equal(2, results.Answered);

        // Re-scoring replaces the answer (one row per participant and item).
        Assert.True((await ana.Hub.ScoreAsync(exercise.Id, "DRUGS", 5)).Ok);
        Assert.Equal(2L, await ScalarAsync<long>(app, "SELECT COUNT(*) FROM scores WHERE exercise_id = @Id AND item_key = 'DRUGS'", new { exercise.Id }));
    }

    [Fact]
    public async Task Broadcasts_are_coalesced_when_many_scores_arrive_at_once()
    {
        var (facilitator, control, id, code) = await WorkshopAsync(new Agenda(ExerciseTypes.SocialTolerance));
        var screen = facilitator.Hub();
        var screenResults = new Inbox<ResultsDto>(screen, "results");
        await screen.StartAsync();
        await screen.WatchAsync(id, false);
        await control.ActAsync(id, WorkshopCommands.Next);
        var p = await ParticipantAsync(id, code, "Fast scorer");
        var ex = p.Sync.State.Exercise!;

        var acks = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => p.Hub.ScoreAsync(ex.Id, ex.Items[i % 3], i % 5 + 1)));
        Assert.All(acks, a => Assert.True(a.Ok));
        var last = acks.Max(a => a.Version);
        await screenResults.WaitForAsync(r => r.Version >= last);

        Assert.True(screenResults.All.Count < 30, $"60 scores produced {screenResults.All.Count} broadcasts");
    }

    [Fact]
    public async Task Locked_exercise_refuses_scores_with_a_clear_code_and_keeps_the_previous_answer()
    {
        var (_, control, id, code) = await WorkshopAsync(new Agenda(ExerciseTypes.SocialTolerance));
        await control.ActAsync(id, WorkshopCommands.Next);
        var p = await ParticipantAsync(id, code, "Jelena");
        var states = new Inbox<WorkshopStateDto>(p.Hub, "state");
        var ex = p.Sync.State.Exercise!;
        Assert.True((await p.Hub.ScoreAsync(ex.Id, "THB", 3)).Ok);

        Assert.True((await control.ActAsync(id, WorkshopCommands.Lock)).Ok);
        await states.WaitForAsync(s => s.Exercise?.State == "Locked");
        var refused = await p.Hub.ScoreAsync(ex.Id, "THB", 5);

        Assert.False(refused.Ok);
        Assert.Equal(WorkshopRefusals.Locked, refused.Code);
        Assert.Equal(3L, await ScalarAsync<long>(app, "SELECT value FROM scores WHERE exercise_id = @Id AND item_key = 'THB'", new { ex.Id }));

        Assert.True((await control.ActAsync(id, WorkshopCommands.Open)).Ok);
        Assert.True((await p.Hub.ScoreAsync(ex.Id, "THB", 5)).Ok);
        // Facilitator actions through the hub are audited with who did them.
        Assert.Equal(3L, await ScalarAsync<long>(app, """
            SELECT COUNT(*) FROM audit_log WHERE action = 'workshop.acted' AND target = @Target AND actor_email = 'facilitator@demo.local'
            """, new { Target = $"workshop:{id}" }));
    }

    [Fact]
    public async Task Out_of_scale_values_and_unknown_items_are_rejected()
    {
        var (_, control, id, code) = await WorkshopAsync(new Agenda(ExerciseTypes.Indicators), new Agenda(ExerciseTypes.Poll, Question: "Which matters most?", Choices: "Routes\nMoney\nCorruption"));
        await control.ActAsync(id, WorkshopCommands.Next);
        var p = await ParticipantAsync(id, code, "Petar");
        var ex = p.Sync.State.Exercise!;
        Assert.Equal(15, ex.Items.Count);

        Assert.Equal(WorkshopRefusals.OutOfScale, (await p.Hub.ScoreAsync(ex.Id, "DRUGS/DAMAGE", 6)).Code);
        Assert.Equal(WorkshopRefusals.OutOfScale, (await p.Hub.ScoreAsync(ex.Id, "DRUGS/DAMAGE", 0)).Code);
        Assert.Equal(WorkshopRefusals.OutOfScale, (await p.Hub.ScoreAsync(ex.Id, "DRUGS/DAMAGE", 3, 2)).Code);
        Assert.Equal(WorkshopRefusals.UnknownItem, (await p.Hub.ScoreAsync(ex.Id, "ROBBERY/DAMAGE", 3)).Code);
        Assert.True((await p.Hub.ScoreAsync(ex.Id, "DRUGS/DAMAGE", 5)).Ok);

        await control.ActAsync(id, WorkshopCommands.Next);
        var sync = await p.Hub.JoinAsync(id);
        var poll = sync.State.Exercise!;
        Assert.Equal(["Routes", "Money", "Corruption"], poll.Choices);
        Assert.Equal(WorkshopRefusals.OutOfScale, (await p.Hub.ScoreAsync(poll.Id, ItemKeys.Poll, 4)).Code);
        Assert.True((await p.Hub.ScoreAsync(poll.Id, ItemKeys.Poll, 3)).Ok);
        // The previous exercise is done: it is no longer the current one.
        Assert.Equal(WorkshopRefusals.NotOpen, (await p.Hub.ScoreAsync(ex.Id, "DRUGS/DAMAGE", 4)).Code);
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT COUNT(*) FROM scores WHERE exercise_id = @Id AND value > 5", new { ex.Id }));
    }

    [Fact]
    public async Task Hidden_results_reach_the_screen_only_after_reveal_while_the_facilitator_sees_them_live()
    {
        var (facilitator, control, id, code) = await WorkshopAsync(new Agenda(ExerciseTypes.Poll, Question: "How organised is drug crime?", HideResults: true));
        var controlResults = new Inbox<ResultsDto>(control, "results");
        await control.WatchAsync(id, control: true);
        var screen = facilitator.Hub();
        var screenResults = new Inbox<ResultsDto>(screen, "results");
        await screen.StartAsync();
        await screen.WatchAsync(id, control: false);
        await control.ActAsync(id, WorkshopCommands.Next);

        var p = await ParticipantAsync(id, code, "Ivana");
        var ack = await p.Hub.ScoreAsync(p.Sync.State.Exercise!.Id, ItemKeys.Poll, 4);
        Assert.True(ack.Ok);

        var seenByFacilitator = await controlResults.WaitForAsync(r => r.Version >= ack.Version);
        Assert.NotNull(seenByFacilitator.Result);
        var seenByRoom = await screenResults.WaitForAsync(r => r.Version >= ack.Version);
        Assert.True(seenByRoom.Hidden);
        Assert.Null(seenByRoom.Result);

        Assert.True((await control.ActAsync(id, WorkshopCommands.Reveal)).Ok);
        var revealed = await screenResults.WaitForAsync(r => r.Result is not null);
        Assert.False(revealed.Hidden);
        Assert.Equal(4.0, revealed.Result!.Items.Single().WeightedMean);
        // Revealing locks: answers are final.
        Assert.Equal(WorkshopRefusals.Closed, (await p.Hub.ScoreAsync(p.Sync.State.Exercise!.Id, ItemKeys.Poll, 2)).Code);
    }

    [Fact]
    public async Task Pestle_factors_are_collected_merged_deleted_then_scored_and_ranked_by_impact_times_likelihood()
    {
        var (facilitator, control, id, code) = await WorkshopAsync(new Agenda(ExerciseTypes.Pestle, "Threat environment 2027"));
        await control.ActAsync(id, WorkshopCommands.Next);
        var ana = await ParticipantAsync(id, code, "Ana");
        var marko = await ParticipantAsync(id, code, "Marko", "AGENCY");
        var ex = ana.Sync.State.Exercise!;
        Assert.Equal("Collect", ex.Phase);

        var visa = await ana.Hub.AddFactorAsync(ex.Id, "POLITICAL", "Visa liberalisation with neighbouring states");
        var visa2 = await marko.Hub.AddFactorAsync(ex.Id, "POLITICAL", "Visa-free travel to the region");
        var crypto = await marko.Hub.AddFactorAsync(ex.Id, "TECHNOLOGICAL", "Crypto-asset payments for smuggling");
        var football = await ana.Hub.AddFactorAsync(ex.Id, "SOCIAL", "Football results");
        Assert.All(new[] { visa, visa2, crypto, football }, a => Assert.True(a.Ok));
        long visaId = visa.Id!.Value, cryptoId = crypto.Id!.Value;
        Assert.Equal(WorkshopRefusals.CollectingFactors, (await ana.Hub.ScoreAsync(ex.Id, $"factor:{visa.Id}", 4, 4)).Code);

        // The facilitator merges the duplicate and deletes the off-topic factor on the control page.
        var page = $"/Workshops/Control/{id}";
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(facilitator.Http, page,
            new Dictionary<string, string> { ["factorId"] = $"{visa2.Id}", ["intoId"] = $"{visa.Id}" }, $"{page}?handler=MergeFactor")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(facilitator.Http, page,
            new Dictionary<string, string> { ["factorId"] = $"{football.Id}" }, $"{page}?handler=DeleteFactor")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(facilitator.Http, page,
            new Dictionary<string, string> { ["factorId"] = $"{crypto.Id}", ["dimension"] = "ECONOMIC", ["text"] = "Crypto-asset payments" }, $"{page}?handler=EditFactor")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(facilitator.Http, page,
            new Dictionary<string, string> { ["command"] = WorkshopCommands.StartScoring }, $"{page}?handler=Act")).StatusCode);

        var sync = await ana.Hub.JoinAsync(id);
        Assert.Equal("Score", sync.State.Exercise!.Phase);
        Assert.Equal([visaId, cryptoId], sync.State.Exercise.Factors.Select(f => f.Id).Order());
        Assert.Equal("ECONOMIC", sync.State.Exercise.Factors.Single(f => f.Id == crypto.Id).Dimension);
        Assert.Equal(WorkshopRefusals.UnknownItem, (await ana.Hub.ScoreAsync(ex.Id, $"factor:{visa2.Id}", 4, 4)).Code);
        Assert.Equal(WorkshopRefusals.LikelihoodMissing, (await ana.Hub.ScoreAsync(ex.Id, $"factor:{visa.Id}", 4)).Code);
        Assert.Equal(WorkshopRefusals.NotCollecting, (await ana.Hub.AddFactorAsync(ex.Id, "LEGAL", "Late idea")).Code);

        Assert.True((await ana.Hub.ScoreAsync(ex.Id, $"factor:{visa.Id}", 4, 5)).Ok);   // 20
        Assert.True((await marko.Hub.ScoreAsync(ex.Id, $"factor:{visa.Id}", 3, 3)).Ok); // 9
        Assert.True((await ana.Hub.ScoreAsync(ex.Id, $"factor:{crypto.Id}", 5, 5)).Ok); // 25
        var last = await marko.Hub.ScoreAsync(ex.Id, $"factor:{crypto.Id}", 5, 4);      // 20
        var controlResults = new Inbox<ResultsDto>(control, "results");
        var watch = await control.WatchAsync(id, control: true);

        var factors = watch.Results.Version >= last.Version ? watch.Results.Result!.Factors : (await controlResults.WaitForAsync(r => r.Version >= last.Version)).Result!.Factors;
        Assert.Equal([cryptoId, visaId], factors.Select(f => f.Id));
        Assert.Equal(22.5, factors[0].Score);
        Assert.Equal(14.5, factors[1].Score);
    }

    [Fact]
    public async Task Scores_of_a_factor_merged_during_scoring_count_for_the_factor_it_was_merged_into_live_as_in_the_evidence()
    {
        var (facilitator, control, id, code) = await WorkshopAsync(new Agenda(ExerciseTypes.Pestle, "Threat environment 2027"));
        await control.ActAsync(id, WorkshopCommands.Next);
        var a = await ParticipantAsync(id, code, "A");
        var b = await ParticipantAsync(id, code, "B");
        var c = await ParticipantAsync(id, code, "C");
        var ex = a.Sync.State.Exercise!;
        var f9 = (await a.Hub.AddFactorAsync(ex.Id, "POLITICAL", "Visa liberalisation with neighbouring states")).Id!.Value;
        var f10 = (await b.Hub.AddFactorAsync(ex.Id, "POLITICAL", "Visa-free travel to the region")).Id!.Value;
        var f11 = (await c.Hub.AddFactorAsync(ex.Id, "LEGAL", "Weak witness protection")).Id!.Value;
        await control.ActAsync(id, WorkshopCommands.StartScoring);

        Assert.True((await a.Hub.ScoreAsync(ex.Id, ItemKeys.Factor(f9), 5, 5)).Ok);  // 25
        Assert.True((await a.Hub.ScoreAsync(ex.Id, ItemKeys.Factor(f10), 1, 1)).Ok); // 1
        Assert.True((await b.Hub.ScoreAsync(ex.Id, ItemKeys.Factor(f9), 2, 2)).Ok);  // 4
        Assert.True((await b.Hub.ScoreAsync(ex.Id, ItemKeys.Factor(f10), 2, 2)).Ok); // 4
        Assert.True((await c.Hub.ScoreAsync(ex.Id, ItemKeys.Factor(f9), 3, 3)).Ok);  // 9
        foreach (var p in new[] { a, b, c }) Assert.True((await p.Hub.ScoreAsync(ex.Id, ItemKeys.Factor(f11), 3, 3)).Ok); // 9 each

        // The facilitator merges the duplicate f10 into f9 while the room is scoring.
        var page = $"/Workshops/Control/{id}";
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(facilitator.Http, page,
            new Dictionary<string, string> { ["factorId"] = $"{f10}", ["intoId"] = $"{f9}" }, $"{page}?handler=MergeFactor")).StatusCode);

        var live = (await control.WatchAsync(id, control: true)).Results.Result!.Factors;
        var roundId = await ScalarAsync<long>(app, "SELECT round_id FROM workshops WHERE id = @id", new { id });
        RoundEvidence evidence;
        await using (var conn = app.Connection())
        {
            await conn.OpenAsync();
            evidence = (await app.Services.GetRequiredService<EvidenceService>().ComputeAsync(conn, roundId, EvidenceFilter.All, CancellationToken.None))!;
        }

        // One voice per participant (DOMAIN.md rules 2 and 6): A counts once with the mean of 25 and 1, i.e. 13;
        // B with 4, C with 9 → (13 + 4 + 9) / 3 = 8.6667, below f11's 9: rank 2.
        Assert.Equal([f11, f9], live.Select(f => f.Id));
        var merged = live.Single(f => f.Id == f9);
        Assert.Equal(8.6667, merged.Score);
        Assert.Equal(2, merged.Rank);
        Assert.Equal(5, merged.N);
        foreach (var f in live)
        {
            var e = evidence.Pestle.Factors.Single(x => x.FactorKey == ItemKeys.Factor(f.Id));
            Assert.Equal((e.Score, e.Rank, e.DimensionRank, e.N), (f.Score, f.Rank, f.DimensionRank, f.N));
        }
        Assert.Equal(2, evidence.Pestle.Factors.Count);
    }

    [Fact]
    public async Task Hub_refuses_participant_calls_without_the_cookie_and_screen_calls_from_other_users()
    {
        var (_, control, id, _) = await WorkshopAsync(new Agenda(ExerciseTypes.SocialTolerance));
        await control.ActAsync(id, WorkshopCommands.Next);

        var stranger = new Person(app.BaseUrl);
        _people.Add(stranger);
        var hub = stranger.Hub();
        await hub.StartAsync();
        await Assert.ThrowsAsync<HubException>(() => hub.JoinAsync(id));
        await Assert.ThrowsAsync<HubException>(() => hub.ScoreAsync(1, "DRUGS", 3));
        await Assert.ThrowsAsync<HubException>(() => hub.WatchAsync(id, false));
        await Assert.ThrowsAsync<HubException>(() => hub.ActAsync(id, WorkshopCommands.Lock));

        var respondent = new Person(app.BaseUrl);
        _people.Add(respondent);
        await Forms.LoginAsync(respondent.Http, "respondent@demo.local");
        var rh = respondent.Hub();
        await rh.StartAsync();
        await Assert.ThrowsAsync<HubException>(() => rh.WatchAsync(id, true));
        await Assert.ThrowsAsync<HubException>(() => rh.ActAsync(id, WorkshopCommands.Lock));
        Assert.Equal(HttpStatusCode.Forbidden, (await respondent.Http.GetAsync($"/Workshops/Screen/{id}")).StatusCode);
    }

    [Fact]
    public async Task Reloading_the_join_page_keeps_the_participant_identity_and_answers()
    {
        var (_, control, id, code) = await WorkshopAsync(new Agenda(ExerciseTypes.SocialTolerance));
        await control.ActAsync(id, WorkshopCommands.Next);
        var p = await ParticipantAsync(id, code, "Milica");
        Assert.True((await p.Hub.ScoreAsync(p.Sync.State.Exercise!.Id, "CYBER", 2)).Ok);

        var reload = await p.Person.Http.GetStringAsync($"/join/{code}");
        Assert.Contains("id=\"workshop-join\"", reload, StringComparison.Ordinal);
        Assert.Contains("Milica", reload, StringComparison.Ordinal);
        await p.Hub.StopAsync();
        var again = p.Person.Hub();
        await again.StartAsync();
        var sync = await again.JoinAsync(id);

        Assert.Equal("Milica", sync.DisplayName);
        Assert.Equal([2], sync.Answers["CYBER"]);
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT COUNT(*) FROM participants WHERE workshop_id = @id", new { id }));
        // Only the token's hash is stored.
        var token = p.Person.Cookies.GetCookies(app.BaseUrl)[ParticipantCookie.Name(id)]!;
        Assert.True(token.HttpOnly);
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT COUNT(*) FROM participants WHERE token_hash = @Value", new { token.Value }));
    }
}
