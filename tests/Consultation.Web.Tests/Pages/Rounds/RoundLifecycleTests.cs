using System.Net;
using Consultation.Web.Rounds;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Rounds;

public sealed class RoundLifecycleTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task The_same_create_form_posted_again_makes_no_second_round_and_goes_to_the_first_with_a_notice()
    {
        var client = await CoordinatorAsync(app);
        var page = await client.GetStringAsync("/Rounds/Create");
        var fields = RoundFields("Created once");

        var first = IdFrom(await PostFromAsync(client, page, "/Rounds/Create", fields), "/Rounds/Details/");
        // Back to the same form (its key unchanged), then Create again — even with the title changed meanwhile.
        var again = await PostFromAsync(client, page, "/Rounds/Create", fields.With("Input.Title", "Created once, edited after Back"));

        Assert.Equal(first, IdFrom(again, "/Rounds/Details/"));
        var details = WebUtility.HtmlDecode(await client.GetStringAsync(again.Headers.Location!.OriginalString));
        Assert.Contains("This form had already created this round, so no second round was made. Change it here with Edit.", details, StringComparison.Ordinal);
        await using (var conn = Open(app))
            Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rounds WHERE title LIKE 'Created once%'"));

        // A new page load is a new form: it creates a new round.
        var second = IdFrom(await PostAsync(client, "/Rounds/Create", fields), "/Rounds/Details/");
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Round_cannot_open_without_a_published_questionnaire()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(client, "No questionnaire", [await OrganisationIdAsync(app, "ASTRA")]);
        await CreateQuestionnaireAsync(client, roundId); // a draft is not enough

        var response = await MoveAsync(client, roundId, "Open");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("publish at least one questionnaire first", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Draft", await StatusAsync(app, roundId));
    }

    [Fact]
    public async Task Round_cannot_open_without_an_invited_organisation()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(client, "Nobody invited");
        var q = await CreateQuestionnaireAsync(client, roundId);
        await SaveQuestionnaireAsync(app, client, q, publish: true);

        var response = await MoveAsync(client, roundId, "Open");

        Assert.Contains("invite at least one organisation first", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Draft", await StatusAsync(app, roundId));
    }

    [Fact]
    public async Task Opening_before_the_planned_time_says_so_first_and_starts_the_round_now()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await ReadyRoundAsync(app, client, "Opened early"); // planned: 2030-01-10 09:00 Belgrade
        var details = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Details/{roundId}"));
        Assert.Contains("The round is planned to open on", details, StringComparison.Ordinal);
        Assert.Contains("aria-describedby=\"opens-early\"", details, StringComparison.Ordinal);

        var before = DateTimeOffset.UtcNow;
        var response = await MoveAsync(client, roundId, "Open");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        await using var conn = Open(app);
        var (opensAt, closesAt) = await conn.QuerySingleAsync<(string, string)>("SELECT opens_at, closes_at FROM rounds WHERE id = @roundId", new { roundId });
        var opened = DateTimeOffset.Parse(opensAt, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(opened, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal("2030-02-10T16:00:00.0000000Z", closesAt);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync(response.Headers.Location!.OriginalString));
        Assert.Contains("The round is open. It was planned to open on ", page, StringComparison.Ordinal);
        Assert.Contains("2030", page[page.IndexOf("It was planned to open on", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.DoesNotContain("The round is planned to open on", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closing_before_the_planned_time_says_so_first_and_ends_the_round_now()
    {
        var client = await CoordinatorAsync(app);
        var round = await ResponseSeed.OpenRoundAsync(app, client, "Closed early", "ASTRA"); // planned: closes 2030-02-10 17:00 Belgrade
        var roundId = round.RoundId;
        await ResponseSeed.InsertAsync(app, round.VersionId, "ASTRA", "respondent@demo.local", "Draft");
        var details = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Details/{roundId}"));
        Assert.Contains("The round is planned to close on 2030-02-10 17:00.", details, StringComparison.Ordinal);
        Assert.Contains("aria-describedby=\"closes-early\"", details, StringComparison.Ordinal);

        var before = DateTimeOffset.UtcNow;
        var response = await MoveAsync(client, roundId, "Close");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        await using (var conn = Open(app))
        {
            var closesAt = await conn.ExecuteScalarAsync<string>("SELECT closes_at FROM rounds WHERE id = @roundId", new { roundId }) ?? "";
            Assert.InRange(DateTimeOffset.Parse(closesAt, System.Globalization.CultureInfo.InvariantCulture), before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        }
        var page = WebUtility.HtmlDecode(await client.GetStringAsync(response.Headers.Location!.OriginalString));
        Assert.Contains("The round is closed. It was planned to close on 2030-02-10 17:00; its closing time is now ", page, StringComparison.Ordinal);
        Assert.DoesNotContain("The round is planned to close on", page, StringComparison.Ordinal);
        Assert.Equal(1, page.Split("2030-02-10 17:00").Length - 1); // only in the message: the round's period ends now
        Assert.Contains("id=\"round-status\">Closed</span>", page, StringComparison.Ordinal);

        // The respondent sees when it closed, not the old deadline.
        var respondent = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(respondent, "respondent@demo.local");
        var form = WebUtility.HtmlDecode(await respondent.GetStringAsync($"/Respond/Form/{round.QuestionnaireId}"));
        Assert.Contains("The round is closed.", form, StringComparison.Ordinal);
        Assert.Contains("Closed on ", form, StringComparison.Ordinal);
        Assert.DoesNotContain("2030-02-10", form, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Input.Title", "Tab\tbed title", "The title must be a single line without control characters.")]
    [InlineData("Input.TimeZone", "Central European Standard Time", "Unknown time zone.")]
    [InlineData("Input.DescriptionHtml", "<p>Two\r\nlines\tand a bell\u0007</p>", "The description may hold line breaks and tabs but no other control characters.")]
    public async Task A_round_title_with_a_control_character_or_a_windows_time_zone_is_a_field_error(string field, string value, string message)
    {
        var client = await CoordinatorAsync(app);
        await using var conn = Open(app);
        var before = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rounds");
        var fields = RoundFields("Control characters").Where(f => f.Key != field).Append(new(field, value)).ToList();

        var response = await PostAsync(client, "/Rounds/Create", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(before, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rounds"));
    }

    [Fact]
    public async Task An_open_rounds_closing_time_cannot_be_moved_into_the_past()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await ReadyRoundAsync(app, client, "Closing time in the past");
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Open")).StatusCode);
        var fields = RoundFields("Closing time in the past", opens: "2026-01-01T09:00", closes: "2026-02-01T09:00");

        var response = await PostAsync(client, $"/Rounds/Edit/{roundId}", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("An open round cannot get a closing time in the past", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        await using var conn = Open(app);
        Assert.Equal("2030-02-10T16:00:00.0000000Z", await conn.ExecuteScalarAsync<string>("SELECT closes_at FROM rounds WHERE id = @roundId", new { roundId }));
    }

    [Fact]
    public async Task A_crime_area_a_published_questionnaire_asks_about_stays_in_the_rounds_scope()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await ReadyRoundAsync(app, client, "Scope kept"); // DRUGS and THB, a published five-indicator questionnaire
        var fields = RoundFields("Scope kept");
        fields.RemoveAll(f => f.Key == "Input.CrimeAreas" && f.Value == "THB");
        fields.AddRange((await OrganisationIdsAsync(roundId)).Select(o => new KeyValuePair<string, string>("Input.Organisations", o)));

        var response = await PostAsync(client, $"/Rounds/Edit/{roundId}", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Trafficking in human beings is asked about by the published questionnaire", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        await using var conn = Open(app);
        Assert.Equal(["DRUGS", "THB"], await conn.QueryAsync<string>(
            "SELECT crime_area_code FROM round_crime_areas WHERE round_id = @roundId ORDER BY crime_area_code", new { roundId }));
    }

    private async Task<IEnumerable<string>> OrganisationIdsAsync(long roundId)
    {
        await using var conn = Open(app);
        return (await conn.QueryAsync<long>("SELECT organisation_id FROM round_organisations WHERE round_id = @roundId", new { roundId }))
            .Select(o => o.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
    }

    [Fact]
    public async Task Round_opens_closes_refuses_to_reopen_and_archives_with_audit_rows()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await ReadyRoundAsync(app, client, "Full life cycle");

        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Open")).StatusCode);
        Assert.Equal("Open", await StatusAsync(app, roundId));
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Close")).StatusCode);
        Assert.Equal("Closed", await StatusAsync(app, roundId));

        var reopen = await MoveAsync(client, roundId, "Open");
        Assert.Contains("A round that is Closed cannot become Open.", await reopen.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Closed", await StatusAsync(app, roundId));

        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Archive")).StatusCode);
        Assert.Equal("Archived", await StatusAsync(app, roundId));

        await using var conn = Open(app);
        var audit = (await conn.QueryAsync<(string Action, string? ActorEmail)>(
            "SELECT action, actor_email FROM audit_log WHERE target = @Target ORDER BY id", new { Target = $"round:{roundId}" })).ToList();
        Assert.Equal(["round.created", "round.opened", "round.closed", "round.archived"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("coordinator@demo.local", a.ActorEmail));
    }

    [Fact]
    public async Task Background_pass_closes_open_rounds_past_their_closing_time_as_the_system()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await ReadyRoundAsync(app, client, "Closes by itself");
        await MoveAsync(client, roundId, "Open");
        DateTimeOffset closesAt;
        await using (var conn = Open(app))
            closesAt = DateTimeOffset.Parse(await conn.ExecuteScalarAsync<string>("SELECT closes_at FROM rounds WHERE id = @roundId", new { roundId }) ?? "",
                System.Globalization.CultureInfo.InvariantCulture);

        RoundAutoCloser At(DateTimeOffset now) => new(app.Services.GetRequiredService<IServiceScopeFactory>(), new FixedClock(now),
            Options.Create(new RoundsOptions()), NullLogger<RoundAutoCloser>.Instance);

        Assert.DoesNotContain(roundId, await At(closesAt.AddSeconds(-1)).RunOnceAsync());
        Assert.Equal("Open", await StatusAsync(app, roundId));

        Assert.Contains(roundId, await At(closesAt.AddSeconds(1)).RunOnceAsync());
        Assert.Equal("Closed", await StatusAsync(app, roundId));
        await using (var conn = Open(app)) // closed at its closing time, which stays as planned
            Assert.Equal(closesAt, DateTimeOffset.Parse(await conn.ExecuteScalarAsync<string>("SELECT closes_at FROM rounds WHERE id = @roundId", new { roundId }) ?? "",
                System.Globalization.CultureInfo.InvariantCulture));

        await using var check = Open(app);
        var actor = await check.QuerySingleAsync<string>(
            "SELECT actor_email FROM audit_log WHERE target = @Target AND action = 'round.closed'", new { Target = $"round:{roundId}" });
        Assert.Equal(RoundAutoCloser.SystemActor, actor);
        Assert.Empty(await At(closesAt.AddDays(1)).RunOnceAsync()); // already closed: nothing twice
    }

    [Fact]
    public async Task Description_html_is_sanitized_on_save_and_rendered_without_script()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(client, "Sanitized",
            description: "<p>Welcome <strong>all</strong></p><script>alert('x')</script><a href=\"javascript:alert(1)\">bad link</a>");

        await using var conn = Open(app);
        var stored = await conn.ExecuteScalarAsync<string>("SELECT description_html FROM rounds WHERE id = @roundId", new { roundId }) ?? "";
        Assert.Contains("<strong>all</strong>", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", stored, StringComparison.OrdinalIgnoreCase);

        var html = await client.GetStringAsync($"/Rounds/Details/{roundId}");
        Assert.Contains("<strong>all</strong>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("alert(", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_round_input_names_the_fields_and_keeps_what_was_typed()
    {
        var client = await CoordinatorAsync(app);
        var fields = RoundFields("Typed title stays", opens: "2030-03-01T09:00", closes: "2030-02-01T09:00");
        fields.RemoveAll(f => f.Key is "Input.DefaultGrading" or "Input.CategoryWeights[AGENCY]");
        fields.Add(new("Input.DefaultGrading", "Z9"));
        fields.Add(new("Input.CategoryWeights[AGENCY]", "lots"));

        var response = await PostAsync(client, "/Rounds/Create", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("The closing time must be after the opening time.", html, StringComparison.Ordinal);
        Assert.Contains("Use a Europol 4x4 grading", html, StringComparison.Ordinal);
        Assert.Contains("Enter a weight between 0 and 10", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Typed title stays\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"lots\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Number_fields_that_do_not_bind_say_so_in_words_without_the_property_name()
    {
        var client = await CoordinatorAsync(app);
        var fields = RoundFields("Numbers typed wrong");
        fields.RemoveAll(f => f.Key is "Input.MinOrganisations");
        fields.Add(new("Input.MinOrganisations", ""));
        fields.Add(new("Input.ReminderDaysBeforeClose", "99999999999"));

        var response = await PostAsync(client, "/Rounds/Create", fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("Enter a value.", html, StringComparison.Ordinal);
        Assert.Contains("“99999999999” is not a valid value here.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("is not valid for", html, StringComparison.Ordinal);
        Assert.DoesNotContain("The value '' is invalid.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Numbers typed wrong\"", html, StringComparison.Ordinal);

        fields.RemoveAll(f => f.Key is "Input.MinOrganisations" or "Input.ReminderDaysBeforeClose");
        fields.Add(new("Input.MinOrganisations", "abc"));
        var letters = WebUtility.HtmlDecode(await (await PostAsync(client, "/Rounds/Create", fields)).Content.ReadAsStringAsync());
        Assert.Contains("“abc” is not a valid value here.", letters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Round_settings_are_stored_in_utc_with_weights_and_scope()
    {
        var client = await CoordinatorAsync(app);
        var astra = await OrganisationIdAsync(app, "ASTRA");
        var roundId = await CreateRoundAsync(client, "Stored settings", [astra]);

        await using var conn = Open(app);
        var row = await conn.QuerySingleAsync<(string OpensAt, string CategoryWeightsJson, string IndicatorWeightsJson)>(
            "SELECT opens_at, category_weights_json, indicator_weights_json FROM rounds WHERE id = @roundId", new { roundId });
        Assert.Equal("2030-01-10T08:00:00.0000000Z", row.OpensAt); // 09:00 in Belgrade (CET) is 08:00 UTC
        Assert.Contains("\"AGENCY\":1.5", row.CategoryWeightsJson, StringComparison.Ordinal);
        Assert.Contains("\"DAMAGE\":2", row.IndicatorWeightsJson, StringComparison.Ordinal);
        Assert.Equal(["DRUGS", "THB"], await conn.QueryAsync<string>(
            "SELECT crime_area_code FROM round_crime_areas WHERE round_id = @roundId ORDER BY crime_area_code", new { roundId }));
        Assert.Equal([astra], await conn.QueryAsync<long>("SELECT organisation_id FROM round_organisations WHERE round_id = @roundId", new { roundId }));
    }

    [Theory]
    [InlineData("/Rounds")]
    [InlineData("/Rounds/Create")]
    [InlineData("/Rounds/Details/1")]
    [InlineData("/Questionnaires/Edit/1")]
    public async Task Respondent_gets_403_on_round_and_questionnaire_pages(string path)
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, "respondent@demo.local");

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_round_is_404()
    {
        var client = await CoordinatorAsync(app);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Rounds/Details/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Rounds/Edit/999999")).StatusCode);
    }

    [Fact]
    public async Task Rounds_list_does_not_count_the_hidden_import_questionnaire()
    {
        var client = await CoordinatorAsync(app);
        var imported = await CreateRoundAsync(client, "Only imported responses");
        var mixed = await CreateRoundAsync(client, "One questionnaire and imports");
        await CreateQuestionnaireAsync(client, mixed);
        await using (var conn = Open(app))
            // What the import API creates to hold imported responses (Api/ImportApi.cs).
            await conn.ExecuteAsync("""
                INSERT INTO questionnaires (round_id, title, template, created_at, updated_at)
                VALUES (@imported, 'Imported responses', 'IMPORT', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z'),
                       (@mixed, 'Imported responses', 'IMPORT', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z')
                """, new { imported, mixed });

        var html = await client.GetStringAsync("/Rounds");

        Assert.Equal("0", QuestionnaireCell(html, imported));
        Assert.Equal("1", QuestionnaireCell(html, mixed));
    }

    /// <summary>The Questionnaires column (the 4th) of the round's row in the rounds list.</summary>
    private static string QuestionnaireCell(string html, long roundId)
    {
        var start = html.IndexOf($"/Rounds/Details/{roundId}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"round {roundId} is not listed");
        var row = html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
        return System.Text.RegularExpressions.Regex.Matches(row, "<td[^>]*>(.*?)</td>", System.Text.RegularExpressions.RegexOptions.Singleline)[2].Groups[1].Value.Trim();
    }
}
