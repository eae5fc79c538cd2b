using System.Net;
using Dapper;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>
/// A draft never submitted follows its questionnaire to the latest published version when the respondent opens the form:
/// answers carried by question name, the others kept and shown to copy, a notice, an audit entry; submitted responses
/// keep their version; only the respondent's own draft moves.
/// </summary>
public sealed class DraftVersionMoveTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private const string Astra = "respondent@demo.local";

    /// <summary>Version 1 with a mistake: a required "budget" question nobody can answer sensibly, and a remark the next version drops.</summary>
    private const string Version1 = """
        {
          "title": "Moving questionnaire",
          "pages": [
            { "name": "p1", "elements": [
              { "type": "rating", "name": "score", "isRequired": true, "rateMin": 1, "rateMax": 5 },
              { "type": "radiogroup", "name": "trend", "choices": ["UP", "DOWN"], "showOtherItem": true },
              { "type": "text", "name": "budget", "isRequired": true } ] },
            { "name": "p2", "elements": [
              { "type": "comment", "name": "note" },
              { "type": "comment", "name": "old_remark", "title": "Remark on last year's figures" } ] }
          ]
        }
        """;

    /// <summary>Version 2: the mistake fixed (no "budget"), the remark gone, a new optional question.</summary>
    private const string Version2 = """
        {
          "title": "Moving questionnaire",
          "pages": [
            { "name": "p1", "elements": [
              { "type": "rating", "name": "score", "isRequired": true, "rateMin": 1, "rateMax": 5 },
              { "type": "radiogroup", "name": "trend", "choices": ["UP", "DOWN"], "showOtherItem": true },
              { "type": "text", "name": "source" } ] },
            { "name": "p2", "elements": [ { "type": "comment", "name": "note" } ] }
          ]
        }
        """;

    private const string Remark = "Line one of the remark\nand <b>line two</b>";

    private static readonly string Draft = $$"""
        { "score": 4, "trend": "other", "trend-Comment": "sideways", "note": "keep me", "old_remark": {{System.Text.Json.JsonSerializer.Serialize(Remark)}} }
        """;

    private async Task<(long Q, long V1)> RoundAsync(string title, params string[] organisations)
    {
        var (_, q) = await OpenRoundAsync(app, title, Version1, organisations);
        return (q, (await LatestVersionAsync(app, q)).Id);
    }

    /// <summary>The coordinator publishes version 2 and reads the status message the page shows after the redirect.</summary>
    private async Task<(long V2, string Message)> PublishVersion2Async(long q)
    {
        var coordinator = await CoordinatorAsync(app);
        var before = await coordinator.GetStringAsync($"/Questionnaires/Edit/{q}");
        var published = await SaveQuestionnaireAsync(app, coordinator, q, publish: true, schema: Version2, bindings: "[]");
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        var after = await coordinator.GetStringAsync($"/Questionnaires/Edit/{q}");
        return ((await LatestVersionAsync(app, q)).Id, WebUtility.HtmlDecode(before + "\n----\n" + after));
    }

    private async Task<long> VersionOfAsync(long responseId)
    {
        await using var conn = Open(app);
        return await conn.ExecuteScalarAsync<long>("SELECT questionnaire_version_id FROM responses WHERE id = @responseId", new { responseId });
    }

    [Fact]
    public async Task Draft_on_an_old_version_moves_to_the_new_one_when_opened_and_can_then_be_submitted()
    {
        var (q, v1) = await RoundAsync("Draft moves");
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, Draft, page: 1, revision: 0)).StatusCode);
        // The defect: version 1's mistake makes the draft impossible to submit.
        var stuck = await SubmitAsync(client, q, form.Token, Draft, revision: 1, key: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stuck.StatusCode);

        var (v2, publishPage) = await PublishVersion2Async(q);
        Assert.Contains("Drafts not yet submitted: 1.", publishPage, StringComparison.Ordinal);
        Assert.Contains("Drafts not yet submitted that move to version 2 when their respondents next open the questionnaire (answers carried over): 1.",
            publishPage, StringComparison.Ordinal);

        var reopened = await OpenFormAsync(client, q);

        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal(v2, await VersionOfAsync(row.Id));
        Assert.Equal(("Draft", 2L), (row.Status, row.Revision));
        // Carried by name, the "Other" text of a question that still has one included; the dropped question's answer is not.
        Assert.True(SameJson("""{ "score": 4, "trend": "other", "trend-Comment": "sideways", "note": "keep me" }""", row.DataJson), row.DataJson);
        Assert.Equal(2, reopened.State.GetProperty("revision").GetInt64());
        Assert.False(reopened.State.GetProperty("data").TryGetProperty("old_remark", out _));
        Assert.DoesNotContain("budget", WebUtility.HtmlDecode(reopened.Html), StringComparison.Ordinal);
        Assert.Contains("\"source\"", WebUtility.HtmlDecode(reopened.Html), StringComparison.Ordinal);
        // The notice, and the answer that lost its question, shown as typed (encoded, never as markup) under its old title.
        Assert.Contains("id=\"version-moved-note\"", reopened.Html, StringComparison.Ordinal);
        Assert.Contains("The questionnaire was updated on ", reopened.Html, StringComparison.Ordinal);
        Assert.Contains("your answers were carried over to the new version.", reopened.Html, StringComparison.Ordinal);
        Assert.Contains("<dt>Remark on last year&#x27;s figures</dt>", reopened.Html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;line two&lt;/b&gt;", reopened.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>line two</b>", reopened.Html, StringComparison.Ordinal);
        Assert.Contains($"<dd class=\"orphaned-answer\">{Remark}</dd>", WebUtility.HtmlDecode(reopened.Html), StringComparison.Ordinal);
        await using (var conn = Open(app))
        {
            var orphaned = await conn.QuerySingleAsync<string>("SELECT orphaned_json FROM response_version_moves WHERE response_id = @Id", new { row.Id });
            Assert.True(SameJson(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["old_remark"] = Remark }), orphaned), orphaned);
            var audit = await conn.QuerySingleAsync<(string Action, string Details)>(
                "SELECT action, details FROM audit_log WHERE target = @Target AND action = 'response.version_moved'", new { Target = $"response:{row.Id}" });
            Assert.Equal($"questionnaire:{q} version 1 to 2; answers without a question kept", audit.Details);
        }

        // Opening it again moves nothing more and still shows what has no question.
        var again = await OpenFormAsync(client, q);
        Assert.Equal(2, again.State.GetProperty("revision").GetInt64());
        Assert.Contains("Line one of the remark", again.Html, StringComparison.Ordinal);

        var submitted = await SubmitAsync(client, q, again.Token, row.DataJson, revision: 2, key: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        Assert.Equal(v2, await VersionOfAsync(row.Id));
        var afterSubmit = await OpenFormAsync(client, q);
        Assert.DoesNotContain("id=\"version-moved-note\"", afterSubmit.Html, StringComparison.Ordinal);
        Assert.NotEqual(v1, v2);
    }

    [Fact]
    public async Task Autosave_from_a_tab_still_on_the_old_version_gets_409_with_the_moved_copy()
    {
        var (q, _) = await RoundAsync("Draft moves under an open tab");
        var laptop = await SignInAsync(app, Astra);
        var old = await OpenFormAsync(laptop, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(laptop, q, old.Token, Draft, 0, 0)).StatusCode);
        var (v2, _) = await PublishVersion2Async(q);

        var phone = await SignInAsync(app, Astra);
        await OpenFormAsync(phone, q); // moves the draft
        var stale = await SaveAsync(laptop, q, old.Token, """{ "score": 2, "budget": "typed on the old form" }""", 0, revision: 1);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await JsonAsync(stale);
        Assert.Equal("response.revision_conflict", problem.GetProperty("code").GetString());
        Assert.Equal(2, problem.GetProperty("serverRevision").GetInt64());
        Assert.Equal("keep me", problem.GetProperty("serverData").GetProperty("note").GetString());
        Assert.False(problem.GetProperty("serverData").TryGetProperty("old_remark", out _));
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal((2L, v2), (row.Revision, await VersionOfAsync(row.Id)));
        Assert.DoesNotContain("typed on the old form", row.DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_from_a_page_opened_before_the_new_version_is_refused_with_a_reload_notice_and_stores_nothing()
    {
        var (q, v1) = await RoundAsync("Submit on the old page");
        var client = await SignInAsync(app, Astra);
        var old = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, old.Token, Draft, 0, 0)).StatusCode);
        await PublishVersion2Async(q);

        // Valid under version 1 (budget answered), but version 2 is out: the form must be reloaded to move.
        var answers = """{ "score": 3, "budget": "100" }""";
        var refused = await SubmitAsync(client, q, old.Token, answers, revision: 1, key: Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await JsonAsync(refused);
        Assert.Equal("response.version_changed", problem.GetProperty("code").GetString());
        Assert.StartsWith("The questionnaire was updated since this page was opened.", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal(("Draft", 1L, v1), (row.Status, row.Revision, await VersionOfAsync(row.Id)));
        Assert.Empty(await RevisionsAsync(app, row.Id));
    }

    [Fact]
    public async Task Submit_from_an_old_page_is_refused_also_when_the_server_remembers_the_old_version()
    {
        var (q, v1) = await RoundAsync("Old version remembered", "Group 484");
        var colleague = await SignInAsync(app, "respondent3@demo.local");
        var colleagueForm = await OpenFormAsync(colleague, q);
        var v1Answers = """{ "score": 3, "budget": "100" }""";
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(colleague, q, colleagueForm.Token, v1Answers, 0, 0)).StatusCode);
        var client = await SignInAsync(app, "respondent2@demo.local");
        var old = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, old.Token, v1Answers, 0, 0)).StatusCode);
        // A submission on version 1 makes the server remember the questionnaire with version 1 as its latest.
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(colleague, q, colleagueForm.Token, v1Answers, 1, Guid.NewGuid().ToString())).StatusCode);
        await PublishVersion2Async(q);

        var refused = await SubmitAsync(client, q, old.Token, v1Answers, revision: 1, key: Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("response.version_changed", (await JsonAsync(refused)).GetProperty("code").GetString());
        var mine = (await ResponsesAsync(app, q))[1]; // by id: the colleague saved first
        Assert.Equal(("Draft", v1), (mine.Status, await VersionOfAsync(mine.Id)));
        Assert.Empty(await RevisionsAsync(app, mine.Id));
    }

    [Fact]
    public async Task Submitted_response_keeps_its_version_and_its_amendment_is_checked_against_it()
    {
        var (q, v1) = await RoundAsync("Submitted stays");
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        var v1Answers = """{ "score": 3, "budget": "100", "old_remark": "still asked in version 1" }""";
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(client, q, form.Token, v1Answers, revision: 0, key: Guid.NewGuid().ToString())).StatusCode);
        var (_, publishPage) = await PublishVersion2Async(q);
        Assert.Contains("(answers carried over): 0.", publishPage, StringComparison.Ordinal);

        var reopened = await OpenFormAsync(client, q);

        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal(v1, await VersionOfAsync(row.Id));
        Assert.DoesNotContain("id=\"version-moved-note\"", reopened.Html, StringComparison.Ordinal);
        Assert.Contains("budget", WebUtility.HtmlDecode(reopened.Html), StringComparison.Ordinal);
        var amended = await SubmitAsync(client, q, reopened.Token, """{ "score": 5, "budget": "120", "old_remark": "amended" }""",
            revision: reopened.State.GetProperty("revision").GetInt64(), key: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, amended.StatusCode);
        Assert.Equal(2, (await JsonAsync(amended)).GetProperty("revisionNo").GetInt64());
        Assert.Equal(v1, await VersionOfAsync(row.Id));
        await using var conn = Open(app);
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM response_version_moves WHERE response_id = @Id", new { row.Id }));
    }

    [Fact]
    public async Task Opening_the_form_moves_only_the_respondents_own_draft()
    {
        var (q, v1) = await RoundAsync("Only mine moves", "ASTRA", "Group 484");
        var drafts = new Dictionary<string, long>();
        foreach (var (email, secret) in new[] { (Astra, "ASTRA's remark"), ("respondent2@demo.local", "Group 484's remark"), ("respondent3@demo.local", "colleague's remark") })
        {
            var c = await SignInAsync(app, email);
            var f = await OpenFormAsync(c, q);
            Assert.Equal(HttpStatusCode.OK, (await SaveAsync(c, q, f.Token, $$"""{ "score": 2, "old_remark": "{{secret}}" }""", 0, 0)).StatusCode);
        }
        var (v2, publishPage) = await PublishVersion2Async(q);
        Assert.Contains("(answers carried over): 3.", publishPage, StringComparison.Ordinal);

        var group484 = await SignInAsync(app, "respondent2@demo.local");
        var page = await OpenFormAsync(group484, q);

        Assert.Contains("Group 484&#x27;s remark", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("ASTRA&#x27;s remark", page.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("colleague&#x27;s remark", page.Html, StringComparison.Ordinal);
        await using var conn = Open(app);
        var rows = (await conn.QueryAsync<(string Email, long Version, long Revision, string Data)>("""
            SELECT u.email, rs.questionnaire_version_id, rs.revision, rs.data_json
              FROM responses rs JOIN users u ON u.id = rs.respondent_user_id JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id
             WHERE v.questionnaire_id = @q
            """, new { q })).ToDictionary(r => r.Email);
        Assert.Equal((v2, 2L), (rows["respondent2@demo.local"].Version, rows["respondent2@demo.local"].Revision));
        Assert.Equal((v1, 1L), (rows[Astra].Version, rows[Astra].Revision));
        Assert.Equal((v1, 1L), (rows["respondent3@demo.local"].Version, rows["respondent3@demo.local"].Revision));
        Assert.Contains("ASTRA's remark", rows[Astra].Data, StringComparison.Ordinal);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM response_version_moves m JOIN responses rs ON rs.id = m.response_id JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id WHERE v.questionnaire_id = @q", new { q }));
    }
}
