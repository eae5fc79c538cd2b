using System.Net;
using Consultation.Core.Workshops;
using static Consultation.Web.Tests.Pages.Workshops.WorkshopSteps;

namespace Consultation.Web.Tests.Pages.Workshops;

public sealed class JoinRateLimitedPortal : PortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Workshops:JoinCodeFailuresPerMinute", "3")];
}

/// <summary>Its own app: the limit is per address, and every test client here shares one.</summary>
public sealed class JoinRateLimitTests(JoinRateLimitedPortal app) : IClassFixture<JoinRateLimitedPortal>
{
    [Fact]
    public async Task Guessing_join_codes_is_limited_per_address_with_429()
    {
        var client = app.CreateBrowserLikeClient();
        for (var i = 0; i < 3; i++)
        {
            var miss = await client.GetAsync($"/join/KKKKK{JoinCodes.Alphabet[i]}");
            Assert.Equal(HttpStatusCode.NotFound, miss.StatusCode);
            Assert.Contains("No open workshop has this code", await miss.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var blocked = await client.GetAsync("/join/KKKKKX");
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Contains("Too many wrong codes", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var form = await Forms.PostAsync(client, "/join", new Dictionary<string, string> { ["enteredCode"] = "KKKKKY" }, "/join?handler=Find");
        Assert.Equal(HttpStatusCode.TooManyRequests, form.StatusCode);
    }
}

public sealed class JoinTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Workshop_that_requires_sign_in_sends_anonymous_visitors_to_the_login_and_takes_members_as_their_organisation()
    {
        var facilitator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(facilitator, "facilitator@demo.local");
        var round = await SeedRoundAsync(app);
        var id = await CreateWorkshopAsync(facilitator, round, "Members only", "SignIn", new Agenda(ExerciseTypes.SocialTolerance));
        var code = await JoinCodeAsync(app, id);

        var anonymous = await app.CreateBrowserLikeClient().GetAsync($"/join/{code.ToLowerInvariant()}");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var member = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(member, "respondent@demo.local");
        var joined = await Forms.PostAsync(member, $"/join/{code}", new Dictionary<string, string>(), $"/join/{code}?handler=Enter");
        Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);

        Assert.Equal("NGO", await ScalarAsync<string>(app, "SELECT category FROM participants WHERE workshop_id = @id", new { id }));
        Assert.Equal(1L, await ScalarAsync<long>(app,
            "SELECT COUNT(*) FROM participants p JOIN organisations o ON o.id = p.organisation_id WHERE p.workshop_id = @id AND o.name = 'ASTRA'", new { id }));
    }

    [Fact]
    public async Task A_participant_reloading_after_the_end_is_told_it_ended_and_anyone_else_gets_the_unknown_code_answer()
    {
        var facilitator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(facilitator, "facilitator@demo.local");
        var round = await SeedRoundAsync(app);
        var id = await CreateWorkshopAsync(facilitator, round, "Ending room", "Pseudonymous", new Agenda(ExerciseTypes.SocialTolerance));
        var code = await JoinCodeAsync(app, id);
        var participant = app.CreateBrowserLikeClient();
        var joined = await Forms.PostAsync(participant, $"/join/{code}",
            new Dictionary<string, string> { ["Input.DisplayName"] = "Ana", ["Input.Category"] = "NGO" }, $"/join/{code}?handler=Enter");
        Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
        await ScalarAsync<long>(app, "UPDATE workshops SET status = 'Closed' WHERE id = @id RETURNING id", new { id });

        var reload = await participant.GetAsync($"/join/{code}");
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        var html = await reload.Content.ReadAsStringAsync();
        Assert.Contains("The workshop has ended. Thank you for taking part.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("No open workshop has this code", html, StringComparison.Ordinal);

        var stranger = await app.CreateBrowserLikeClient().GetAsync($"/join/{code}");
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        Assert.Contains("No open workshop has this code", await stranger.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Next_pressed_on_two_control_pages_showing_the_same_exercise_moves_on_once()
    {
        var facilitator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(facilitator, "facilitator@demo.local");
        var round = await SeedRoundAsync(app);
        var id = await CreateWorkshopAsync(facilitator, round, "Two control tabs", "Pseudonymous",
            new Agenda(ExerciseTypes.SocialTolerance), new Agenda(ExerciseTypes.Indicators), new Agenda(ExerciseTypes.SocialTolerance));
        Task<HttpResponseMessage> Act(string command, long from) => Forms.PostAsync(facilitator, $"/Workshops/Control/{id}",
            new Dictionary<string, string> { ["command"] = command, ["from"] = from.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            $"/Workshops/Control/{id}?handler=Act");
        Assert.Equal(HttpStatusCode.Redirect, (await Act(Consultation.Web.Workshops.WorkshopCommands.Next, 0)).StatusCode);
        var first = await ScalarAsync<long>(app, "SELECT current_exercise_id FROM workshops WHERE id = @id", new { id });

        await Act(Consultation.Web.Workshops.WorkshopCommands.Next, first); // tab A
        var second = await ScalarAsync<long>(app, "SELECT current_exercise_id FROM workshops WHERE id = @id", new { id });
        Assert.NotEqual(first, second);
        await Act(Consultation.Web.Workshops.WorkshopCommands.Next, first); // tab B, still showing the first exercise

        Assert.Equal(second, await ScalarAsync<long>(app, "SELECT current_exercise_id FROM workshops WHERE id = @id", new { id }));
        Assert.Equal("Open", await ScalarAsync<string>(app, "SELECT state FROM exercises WHERE id = @second", new { second }));
        Assert.Contains("The exercise changed meanwhile", await facilitator.GetStringAsync($"/Workshops/Control/{id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_poll_with_more_choices_than_a_phone_shows_is_refused_naming_the_count()
    {
        var facilitator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(facilitator, "facilitator@demo.local");
        var round = await SeedRoundAsync(app);
        var fields = new Dictionary<string, string>
        {
            ["Input.RoundId"] = round.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Input.Title"] = "Twelve choices",
            ["Input.ScheduledOn"] = "2026-12-01", ["Input.AccessMode"] = "Pseudonymous",
            ["Input.Agenda[0].Type"] = ExerciseTypes.Poll, ["Input.Agenda[0].Question"] = "Which?",
            ["Input.Agenda[0].Choices"] = string.Join("\n", Enumerable.Range(1, 12).Select(i => $"C{i}")),
        };

        var response = await Forms.PostAsync(facilitator, "/Workshops/Create", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("A poll offers at most 10 choices; this one has 12.", html, StringComparison.Ordinal);
        Assert.Contains("C12", html, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT COUNT(*) FROM workshops WHERE title = 'Twelve choices'"));
    }

    [Fact]
    public async Task Pseudonymous_join_needs_a_display_name_and_keeps_what_was_typed()
    {
        var facilitator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(facilitator, "facilitator@demo.local");
        var round = await SeedRoundAsync(app);
        var id = await CreateWorkshopAsync(facilitator, round, "Open room", "Pseudonymous", new Agenda(ExerciseTypes.SocialTolerance));
        var code = await JoinCodeAsync(app, id);

        var response = await Forms.PostAsync(app.CreateBrowserLikeClient(), $"/join/{code}",
            new Dictionary<string, string> { ["Input.DisplayName"] = "", ["Input.Category"] = "ACADEMIC" }, $"/join/{code}?handler=Enter");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Enter a display name.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"ACADEMIC\" selected", html, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT COUNT(*) FROM participants WHERE workshop_id = @id", new { id }));
    }
}
