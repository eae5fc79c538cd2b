using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using static Consultation.Web.Tests.Pages.Rounds.ResponseSeed;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Rounds;

/// <summary>Editing a round once it has started: what may no longer change, and a round that can no longer be edited at all.</summary>
public sealed partial class RoundEditTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private const string Astra = "respondent@demo.local";
    private const string Group484 = "respondent2@demo.local";

    [GeneratedRegex("""name="Input\.OpensAt" value="([^"]*)"|value="([^"]*)"[^>]*name="Input\.OpensAt" """)]
    private static partial Regex OpensAtValue();

    /// <summary>The opening time the edit form shows (minutes, in the round's time zone), as a browser would post it back.</summary>
    private static async Task<string> ShownOpensAtAsync(HttpClient client, long roundId)
    {
        var html = await client.GetStringAsync($"/Rounds/Edit/{roundId}");
        var m = OpensAtValue().Match(html);
        Assert.True(m.Success, "no Input.OpensAt field on the edit page");
        return m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
    }

    private async Task<List<long>> InvitedAsync(long roundId)
    {
        await using var conn = Open(app);
        return (await conn.QueryAsync<long>("SELECT organisation_id FROM round_organisations WHERE round_id = @roundId ORDER BY organisation_id", new { roundId })).ToList();
    }

    private async Task<string> StoredAsync(long roundId, string column)
    {
        await using var conn = Open(app);
        return await conn.ExecuteScalarAsync<string>($"SELECT {column} FROM rounds WHERE id = @roundId", new { roundId }) ?? "";
    }

    [Fact]
    public async Task An_organisation_that_has_answered_cannot_be_removed_from_the_round_one_that_has_not_can()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Answered organisations stay", "ASTRA", "Group 484", "Share Foundation");
        await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);
        await InsertAsync(app, round.VersionId, "Group 484", Group484, "Draft", draftJson: """{"DRUGS_confidence":"LOW"}""");
        var (astra, group484, share) = (await OrganisationIdAsync(app, "ASTRA"), await OrganisationIdAsync(app, "Group 484"), await OrganisationIdAsync(app, "Share Foundation"));
        var opens = await ShownOpensAtAsync(client, round.RoundId);

        // Unticking the two that answered (one submitted, one a draft) is refused, naming each, and keeps what was typed.
        var refused = await PostAsync(client, $"/Rounds/Edit/{round.RoundId}", RoundFields("Typed while refused", [share], opens: opens));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains("ASTRA, Group 484 have answered this round's questionnaires: keep them in the round.", html, StringComparison.Ordinal);
        var error = html[html.IndexOf("id=\"organisations-error\"", StringComparison.Ordinal)..];
        Assert.DoesNotContain("Share Foundation", error[..error.IndexOf("</span>", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains("value=\"Typed while refused\"", html, StringComparison.Ordinal);
        Assert.Equal(new[] { astra, group484, share }.Order(), await InvitedAsync(round.RoundId));
        Assert.Equal("Answered organisations stay", await StoredAsync(round.RoundId, "title"));

        // One of them alone is named alone.
        var one = await PostAsync(client, $"/Rounds/Edit/{round.RoundId}", RoundFields("Answered organisations stay", [group484, share], opens: opens));
        Assert.Contains("ASTRA has answered this round's questionnaires: keep it in the round.", WebUtility.HtmlDecode(await one.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(new[] { astra, group484, share }.Order(), await InvitedAsync(round.RoundId));

        // The organisation without a response can still go.
        var saved = await PostAsync(client, $"/Rounds/Edit/{round.RoundId}", RoundFields("Answered organisations stay", [astra, group484], opens: opens));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(new[] { astra, group484 }.Order(), await InvitedAsync(round.RoundId));
        // And the ones that answered still reach their own responses.
        var respondent = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(respondent, Astra);
        Assert.Equal(HttpStatusCode.OK, (await respondent.GetAsync($"/Respond/Form/{round.QuestionnaireId}")).StatusCode);
    }

    [Fact]
    public async Task An_open_rounds_opening_time_cannot_move_and_the_unchanged_form_still_saves()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Opening time is history", "ASTRA"); // opened early: opens_at is now, with seconds
        var openedAt = await StoredAsync(round.RoundId, "opens_at");
        var organisations = await InvitedAsync(round.RoundId);
        var opens = await ShownOpensAtAsync(client, round.RoundId);

        // Moved into the future: refused on the field, with what was typed kept.
        var refused = await PostAsync(client, $"/Rounds/Edit/{round.RoundId}", RoundFields("Typed title kept", organisations, opens: "2030-01-10T09:00"));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Contains("once a round is open, its opening time cannot change.", html, StringComparison.Ordinal);
        Assert.Matches("""<span class="text-danger field-validation-error" data-valmsg-for="Input.OpensAt"[^>]*>The round opened on """, html);
        Assert.Contains("value=\"2030-01-10T09:00\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Typed title kept\"", html, StringComparison.Ordinal);
        Assert.Equal(openedAt, await StoredAsync(round.RoundId, "opens_at"));
        Assert.Equal("Opening time is history", await StoredAsync(round.RoundId, "title"));

        // Moved earlier: refused too.
        var earlier = await PostAsync(client, $"/Rounds/Edit/{round.RoundId}", RoundFields("Typed title kept", organisations, opens: "2026-01-01T09:00"));
        Assert.Contains("once a round is open, its opening time cannot change.", WebUtility.HtmlDecode(await earlier.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        // The form as shown (minutes in the round's time zone) saves, and the moment it opened is kept to the second.
        var saved = await PostAsync(client, $"/Rounds/Edit/{round.RoundId}", RoundFields("Renamed while open", organisations, opens: opens));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("Renamed while open", await StoredAsync(round.RoundId, "title"));
        Assert.Equal(openedAt, await StoredAsync(round.RoundId, "opens_at"));
    }

    [Fact]
    public async Task A_draft_rounds_opening_time_can_still_change()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(client, "Draft opening time");

        var saved = await PostAsync(client, $"/Rounds/Edit/{roundId}", RoundFields("Draft opening time", opens: "2030-01-20T09:00"));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("2030-01-20T08:00:00.0000000Z", await StoredAsync(roundId, "opens_at"));
    }

    [Theory]
    [InlineData("Close")]
    [InlineData("Archive")]
    public async Task A_closed_or_archived_rounds_edit_page_says_so_up_front_with_no_form_and_a_post_is_refused(string last)
    {
        var client = await CoordinatorAsync(app);
        var roundId = await ReadyRoundAsync(app, client, "Locked " + last);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Open")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Close")).StatusCode);
        if (last == "Archive") Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Archive")).StatusCode);
        var organisations = await InvitedAsync(roundId);

        var page = await client.GetAsync($"/Rounds/Edit/{roundId}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        AssertLocked(html, roundId);
        Assert.Contains("value=\"Locked " + last + "\"", html, StringComparison.Ordinal); // the settings, read-only

        // A post from an old tab is refused the same way, keeping what was typed.
        var refused = await PostAsync(client, $"/Rounds/Edit/{roundId}", RoundFields("Typed on a closed round", organisations, opens: "2030-01-10T09:00"));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var after = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        AssertLocked(after, roundId);
        Assert.Contains("value=\"Typed on a closed round\"", after, StringComparison.Ordinal);
        Assert.Equal("Locked " + last, await StoredAsync(roundId, "title"));
    }

    private static void AssertLocked(string html, long roundId)
    {
        Assert.Contains("A closed or archived round can no longer be edited.", html, StringComparison.Ordinal);
        Assert.Matches($"<a [^>]*href=\"/Rounds/Details/{roundId}\"[^>]*>Back to the round</a>", html);
        Assert.Contains("<fieldset disabled", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">Save</button>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<form method=\"post\" class=\"col-12", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_save_from_a_page_opened_before_another_save_changes_nothing_keeps_what_was_typed_and_saving_again_replaces_it()
    {
        var a = await CoordinatorAsync(app);
        var b = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(a, "Title before both");
        var weights = await StoredAsync(roundId, "indicator_weights_json");
        // B opens the edit page; then A renames the round and saves.
        var bPage = await b.GetStringAsync($"/Rounds/Edit/{roundId}");
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(a, $"/Rounds/Edit/{roundId}", RoundFields("Title by A"))).StatusCode);

        // B, on the older page, changes only the minimum group size (and, to show it is kept too, a weight) and saves.
        var bFields = RoundFields("Title before both").With("Input.MinOrganisations", "5").With("Input.IndicatorWeights[DAMAGE]", "3");
        var refused = await PostFromAsync(b, bPage, $"/Rounds/Edit/{roundId}", bFields);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Matches(@"Demo Coordinator saved this round on [^<]+ \(Europe/Belgrade\) while you were editing it, so nothing was saved\. The form still shows what you typed: save again to replace their version with yours\.", html);
        Assert.DoesNotContain("Round saved.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Title before both\"", html, StringComparison.Ordinal);
        Assert.Matches("""name="Input.MinOrganisations"[^>]*value="5"|value="5"[^>]*name="Input.MinOrganisations" """, html);
        Assert.Matches("""id="iw-DAMAGE" name="Input.IndicatorWeights\[DAMAGE\]" value="3" """, html);
        // Nothing of B's was stored: A's title stays, and so do the size and weights B's page was rendered with.
        Assert.Equal("Title by A", await StoredAsync(roundId, "title"));
        Assert.Equal("3", await StoredAsync(roundId, "CAST(min_organisations AS TEXT)"));
        Assert.Equal(weights, await StoredAsync(roundId, "indicator_weights_json"));

        // Saving again from the page that said so is a deliberate overwrite with B's values.
        var saved = await PostFromAsync(b, html, $"/Rounds/Edit/{roundId}", bFields);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("Title before both", await StoredAsync(roundId, "title"));
        Assert.Equal("5", await StoredAsync(roundId, "CAST(min_organisations AS TEXT)"));
    }

    [Fact]
    public async Task A_save_without_the_version_the_page_was_rendered_from_is_refused_as_stale()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(client, "No base version");

        var refused = await PostAsync(client, $"/Rounds/Edit/{roundId}", RoundFields("Posted without a base").With("BaseSavedAt", ""));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("while you were editing it, so nothing was saved.", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal("No base version", await StoredAsync(roundId, "title"));
    }

    [Fact]
    public async Task Opening_a_round_after_its_edit_page_was_rendered_makes_that_page_stale()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await ReadyRoundAsync(app, client, "Opened behind the editor");
        var page = await client.GetStringAsync($"/Rounds/Edit/{roundId}");
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(client, roundId, "Open")).StatusCode);

        var refused = await PostFromAsync(client, page, $"/Rounds/Edit/{roundId}", RoundFields("Renamed on the draft page", await InvitedAsync(roundId)));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("saved this round on", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal("Opened behind the editor", await StoredAsync(roundId, "title"));
    }

    [Fact]
    public async Task Changing_only_the_time_zone_of_an_open_round_keeps_the_moment_it_opened_and_shows_it_in_the_new_zone()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Zone of an open round", "ASTRA");
        var openedAt = await StoredAsync(round.RoundId, "opens_at");
        var organisations = await InvitedAsync(round.RoundId);
        var shown = await ShownOpensAtAsync(client, round.RoundId);
        var edit = await client.GetStringAsync($"/Rounds/Edit/{round.RoundId}");
        Assert.Matches("""<input[^>]* readonly[ >][^>]*name="Input.OpensAt"|name="Input.OpensAt"[^>]* readonly[ >/]""", edit);

        var saved = await PostAsync(client, $"/Rounds/Edit/{round.RoundId}",
            RoundFields("Zone of an open round", organisations, opens: shown).With("Input.TimeZone", "Europe/London"));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("Europe/London", await StoredAsync(round.RoundId, "time_zone"));
        Assert.Equal(openedAt, await StoredAsync(round.RoundId, "opens_at"));
        var opened = DateTimeOffset.Parse(openedAt, CultureInfo.InvariantCulture);
        Assert.Equal(Consultation.Web.Pages.Rounds.RoundInput.ToLocalText(opened, "Europe/London"), await ShownOpensAtAsync(client, round.RoundId));
        Assert.NotEqual(shown, await ShownOpensAtAsync(client, round.RoundId)); // Belgrade is an hour ahead of London
    }

    [Fact]
    public async Task A_draft_rounds_times_are_read_in_the_chosen_time_zone_and_the_page_says_so()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(client, "Zone of a draft round");
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Edit/{roundId}"));
        Assert.Contains("The opening and closing times are read in this time zone: changing the zone keeps the clock times as typed.", page, StringComparison.Ordinal);
        Assert.Contains("aria-describedby=\"time-zone-help\"", page, StringComparison.Ordinal);

        var saved = await PostAsync(client, $"/Rounds/Edit/{roundId}", RoundFields("Zone of a draft round").With("Input.TimeZone", "Europe/London"));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("2030-01-10T09:00:00.0000000Z", await StoredAsync(roundId, "opens_at")); // 09:00 as typed, in London
        Assert.Equal("2030-01-10T09:00", await ShownOpensAtAsync(client, roundId));
    }
}
