using System.Net;
using Dapper;
using Consultation.Web.Pages.Rounds.Responses;
using static Consultation.Web.Tests.Pages.Rounds.ResponseSeed;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Rounds.Responses;

/// <summary>The coordinator's view of responses: the list per round, one response with its revisions, and grading.</summary>
public sealed class ResponseReviewTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private const string Astra = "respondent@demo.local";
    private const string Group484 = "respondent2@demo.local";

    private static Task<HttpResponseMessage> GradeAsync(HttpClient client, long responseId, string? source, string? information)
    {
        var fields = new List<KeyValuePair<string, string>>();
        if (source is not null) fields.Add(new("Input.Source", source));
        if (information is not null) fields.Add(new("Input.Information", information));
        return PostAsync(client, $"/Rounds/Responses/{responseId}", fields, $"/Rounds/Responses/{responseId}?handler=Grade");
    }

    [Fact]
    public async Task Responses_list_shows_organisation_category_status_submission_time_revisions_and_grading()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Listed responses", "ASTRA", "Group 484");
        var submitted = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers(3), Answers(4), Answers(5)],
            at: new DateTimeOffset(2030, 1, 20, 10, 0, 0, TimeSpan.Zero));
        await using (var conn = Open(app))
            await conn.ExecuteAsync("UPDATE responses SET grading = 'A1' WHERE id = @submitted", new { submitted });
        await InsertAsync(app, round.VersionId, "Group 484", Group484, "Draft");

        var html = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/{round.RoundId}/Responses?questionnaireId={round.QuestionnaireId}"));

        var row = Between(html, $"data-response=\"{submitted}\"", "</tr>");
        Assert.Contains("ASTRA", row, StringComparison.Ordinal);
        Assert.Contains("NGO", row, StringComparison.Ordinal);
        Assert.Contains("Submitted", row, StringComparison.Ordinal);
        Assert.Contains("2030-01-20 14:00", row, StringComparison.Ordinal); // 3rd submission 13:00 UTC, shown in Belgrade time
        Assert.Contains("<td class=\"text-end\">3</td>", row, StringComparison.Ordinal);
        Assert.Contains("<td>A1</td>", row, StringComparison.Ordinal);
        Assert.Contains("Group 484", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_reads_as_question_titles_with_answers_and_keeps_every_revision_with_the_changes_between_them()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Revision history", "ASTRA");
        var id = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted",
            submissions: [Answers(drugsScope: 2), Answers(drugsScope: 2, comment: "Second thoughts"), Answers(drugsScope: 5, thbConfidence: "LOW", comment: "Second thoughts")]);

        var current = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Responses/{id}"));
        Assert.Contains("Trafficking in human beings: rate the five indicators", current, StringComparison.Ordinal);
        Assert.Contains("How widespread is it (volume, number of groups, geographic spread)?", current, StringComparison.Ordinal);
        Assert.Contains("<dd data-question=\"THB_confidence\">", current, StringComparison.Ordinal);
        Assert.Contains("Low", Between(current, "data-question=\"THB_confidence\"", "</dd>"), StringComparison.Ordinal);
        foreach (var n in new[] { 1, 2, 3 }) Assert.Contains($"data-revision=\"{n}\"", current, StringComparison.Ordinal);

        var first = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Responses/{id}?revision=1"));
        Assert.Contains("Answers of revision 1", first, StringComparison.Ordinal);
        Assert.Contains("High", Between(first, "data-question=\"THB_confidence\"", "</dd>"), StringComparison.Ordinal);
        Assert.Contains("Seen on the northern route", first, StringComparison.Ordinal);

        var changes = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Responses/{id}?revision=3&compare=2"));
        var section = Between(changes, "Changes from revision 2 to revision 3", "</section>");
        Assert.Contains("Controlled psychoactive substances: rate the five indicators", section, StringComparison.Ordinal);
        Assert.Contains("How confident are you in these ratings?", section, StringComparison.Ordinal);
        Assert.DoesNotContain("Comment (optional)", section, StringComparison.Ordinal); // unchanged from 2 to 3
        Assert.Contains("Comment (optional)", Between(
            WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Responses/{id}?revision=2&compare=1")), "Changes from revision 1", "</section>"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/Rounds/Responses/{id}?revision=4")).StatusCode);
    }

    [Fact]
    public async Task Coordinator_reads_the_latest_submission_never_the_draft_the_respondent_is_still_editing()
    {
        var client = await CoordinatorAsync(app);
        // The coordinator's language is saved in their profile, which another test of this class changes.
        await Forms.PostAsync(client, "/", new Dictionary<string, string> { ["culture"] = "en", ["returnUrl"] = "/" }, "/culture");
        var round = await OpenRoundAsync(app, client, "Drafts stay private", "ASTRA", "Group 484");
        var submitted = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted",
            submissions: [Answers(comment: "First submission"), Answers(comment: "Second submission")]);
        // What an autosave after the submission writes: the response's own copy, not a revision.
        await using (var conn = Open(app))
            await conn.ExecuteAsync("UPDATE responses SET data_json = @data, revision = revision + 1 WHERE id = @submitted",
                new { data = Answers(comment: "DRAFT-NOT-SUBMITTED private note"), submitted });
        var draft = await InsertAsync(app, round.VersionId, "Group 484", Group484, "Draft", draftJson: Answers(comment: "NEVER-SUBMITTED draft"));

        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Responses/{submitted}"));
        Assert.DoesNotContain("DRAFT-NOT-SUBMITTED", page, StringComparison.Ordinal);
        Assert.Contains("Latest submission: revision 2", page, StringComparison.Ordinal);
        Assert.Contains("Second submission", Between(page, "data-question=\"THB_comment\"", "</dd>"), StringComparison.Ordinal);
        Assert.Contains("id=\"unsubmitted-changes\"", page, StringComparison.Ordinal);
        // The changes from revision 1 are those of revision 2, not of the draft.
        var changes = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Responses/{submitted}?compare=1"));
        Assert.Contains("Second submission", changes, StringComparison.Ordinal);
        Assert.DoesNotContain("DRAFT-NOT-SUBMITTED", changes, StringComparison.Ordinal);

        var unsent = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Responses/{draft}"));
        Assert.DoesNotContain("NEVER-SUBMITTED", unsent, StringComparison.Ordinal);
        Assert.Contains("id=\"not-submitted\"", unsent, StringComparison.Ordinal);
        Assert.DoesNotContain("data-question=", unsent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serbian_coordinator_reads_the_questionnaires_serbian_texts_and_grading_meanings()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Srpski prikaz", "ASTRA");
        var id = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers(thbConfidence: "MEDIUM")]);
        await Forms.PostAsync(client, "/", new Dictionary<string, string> { ["culture"] = "sr-Latn", ["returnUrl"] = "/" }, "/culture");

        var html = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Responses/{id}"));

        Assert.Contains("Trgovina ljudima: ocenite pet indikatora", html, StringComparison.Ordinal);
        Assert.Contains("Srednje", Between(html, "data-question=\"THB_confidence\"", "</dd>"), StringComparison.Ordinal);
        Assert.Contains("Izvor je uglavnom pouzdan", html, StringComparison.Ordinal);
        Assert.Contains("Istorija revizija", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grading_a_submitted_response_is_stored_and_audited()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Graded", "ASTRA");
        var id = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);

        Assert.Equal(HttpStatusCode.Redirect, (await GradeAsync(client, id, "B", "2")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await GradeAsync(client, id, "x", "3")).StatusCode);

        await using var conn = Open(app);
        var row = await conn.QuerySingleAsync<(string Grading, long GradedBy)>("SELECT grading, graded_by FROM responses WHERE id = @id", new { id });
        Assert.Equal("X3", row.Grading);
        Assert.Equal(await UserIdAsync(app, "coordinator@demo.local"), row.GradedBy);
        var audit = (await conn.QueryAsync<(string ActorEmail, string Details)>(
            "SELECT actor_email, details FROM audit_log WHERE action = 'response.graded' AND target = @Target ORDER BY id", new { Target = $"response:{id}" })).ToList();
        Assert.Equal(2, audit.Count);
        Assert.StartsWith("B2 (was ungraded)", audit[0].Details, StringComparison.Ordinal);
        Assert.StartsWith("X3 (was B2)", audit[1].Details, StringComparison.Ordinal);
        Assert.All(audit, a => Assert.Equal("coordinator@demo.local", a.ActorEmail));
        Assert.Contains("<strong>X3</strong>", await client.GetStringAsync($"/Rounds/Responses/{id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grading_chosen_on_a_page_opened_before_another_grading_is_refused_naming_it_and_saving_again_replaces_it()
    {
        var a = await CoordinatorAsync(app);
        var b = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, a, "Graded by two", "ASTRA");
        var id = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);
        var url = $"/Rounds/Responses/{id}";
        // Both open the response while it is ungraded; A grades it A1 first.
        var bPage = await b.GetStringAsync(url);
        Assert.Equal(HttpStatusCode.Redirect, (await GradeAsync(a, id, "A", "1")).StatusCode);

        var refused = await PostFromAsync(b, bPage, $"{url}?handler=Grade", [new("Input.Source", "C"), new("Input.Information", "3")]);

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
        Assert.Matches(@"Demo Coordinator graded this response A1 on [^<]+ while you were choosing, so your grading was not saved\. Your choice is still selected: save again to replace A1 with it\.", html);
        Assert.Matches("""id="source-C" value="C" checked="checked" """, html);
        Assert.Matches("""id="information-3" value="3" checked="checked" """, html);
        await using (var conn = Open(app))
        {
            Assert.Equal("A1", await conn.ExecuteScalarAsync<string>("SELECT grading FROM responses WHERE id = @id", new { id }));
            Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'response.graded' AND target = @Target", new { Target = $"response:{id}" }));
        }

        // Saving again from the page that named A1 replaces it, deliberately.
        var saved = await PostFromAsync(b, html, $"{url}?handler=Grade", [new("Input.Source", "C"), new("Input.Information", "3")]);

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        await using (var conn = Open(app))
            Assert.Equal("C3", await conn.ExecuteScalarAsync<string>("SELECT grading FROM responses WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task A_grading_posted_over_another_grading_than_the_current_one_changes_nothing()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Graded without a base", "ASTRA");
        var id = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);
        Assert.Equal(HttpStatusCode.Redirect, (await GradeAsync(client, id, "B", "2")).StatusCode);

        var refused = await PostAsync(client, $"/Rounds/Responses/{id}",
            [new("Input.Source", "X"), new("Input.Information", "4"), new("Input.BaseGrading", "A1")], $"/Rounds/Responses/{id}?handler=Grade");

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("graded this response B2 on", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        await using var conn = Open(app);
        Assert.Equal("B2", await conn.ExecuteScalarAsync<string>("SELECT grading FROM responses WHERE id = @id", new { id }));
    }

    [Theory]
    [InlineData("Z", "2", "Choose the source's reliability: A, B, C or X.")]
    [InlineData("B", "5", "Choose the information's assessment: 1, 2, 3 or 4.")]
    [InlineData(null, null, "Choose the source's reliability: A, B, C or X.")]
    [InlineData("2", "B", "Choose the information's assessment: 1, 2, 3 or 4.")] // letters and numbers swapped (UK order): refused, not converted
    public async Task Invalid_grading_is_refused_with_the_message_on_the_field(string? source, string? information, string message)
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, $"Bad grade {source}{information}", "ASTRA");
        var id = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);

        var response = await GradeAsync(client, id, source, information);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Contains("field-validation-error", html, StringComparison.Ordinal);
        await using var conn = Open(app);
        Assert.Null(await conn.ExecuteScalarAsync<string?>("SELECT grading FROM responses WHERE id = @id", new { id }));
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE target = @Target", new { Target = $"response:{id}" }));
    }

    [Theory]
    [InlineData("Draft")]
    [InlineData("Withdrawn")]
    public async Task Only_submitted_responses_can_be_graded(string status)
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, $"Not gradable {status}", "ASTRA");
        var id = await InsertAsync(app, round.VersionId, "ASTRA", Astra, status);

        var response = await GradeAsync(client, id, "A", "1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Only a submitted response can be graded.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var conn = Open(app);
        Assert.Null(await conn.ExecuteScalarAsync<string?>("SELECT grading FROM responses WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Unknown_response_and_round_are_404()
    {
        var client = await CoordinatorAsync(app);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Rounds/Responses/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Rounds/999999/Responses")).StatusCode);
    }

    [Theory]
    [InlineData("respondent@demo.local")]
    [InlineData("facilitator@demo.local")]
    public async Task Respondents_and_facilitators_get_403_on_every_coordinator_handler(string email)
    {
        var coordinator = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, coordinator, $"Coordinators only {email}", "ASTRA");
        var id = await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);
        var token = Forms.Token(await coordinator.GetStringAsync($"/Rounds/Responses/{id}"));
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, email);

        foreach (var path in new[]
                 {
                     $"/Rounds/Details/{round.RoundId}", $"/Rounds/{round.RoundId}/Responses", $"/Rounds/Responses/{id}",
                     $"/Rounds/Responses/{id}?revision=1", $"/Rounds/Responses/{id}?revision=1&compare=1",
                 })
            Assert.True((await client.GetAsync(path)).StatusCode == HttpStatusCode.Forbidden, $"GET {path} was not refused");
        foreach (var path in new[]
                 {
                     $"/Rounds/Responses/{id}?handler=Grade", $"/Rounds/Details/{round.RoundId}?handler=Reminders",
                     $"/Rounds/Details/{round.RoundId}?handler=Invitations",
                 })
        {
            var post = await client.PostAsync(path, new FormUrlEncodedContent(
                [new("Input.Source", "A"), new("Input.Information", "1"), new("__RequestVerificationToken", token)]));
            Assert.True(post.StatusCode == HttpStatusCode.Forbidden, $"POST {path} was not refused");
        }
        await using var conn = Open(app);
        Assert.Null(await conn.ExecuteScalarAsync<string?>("SELECT grading FROM responses WHERE id = @id", new { id }));
    }

    private static string Between(string text, string start, string end)
    {
        var i = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{start}' not found");
        var j = text.IndexOf(end, i + start.Length, StringComparison.Ordinal);
        return j < 0 ? text[i..] : text[i..j];
    }

    [Fact]
    public async Task Responses_list_shows_a_page_at_a_time_and_the_next_page_keeps_the_questionnaire_and_shows_the_rest()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Many imported responses", "ASTRA");
        var other = await CreateQuestionnaireAsync(client, round.RoundId);
        var orgId = await OrganisationIdAsync(app, "ASTRA");
        var userId = await UserIdAsync(app, Astra);
        var total = IndexModel.PageSize + 5;
        await using (var conn = Open(app))
            // Imported rows (the per-respondent uniqueness is for form responses only), in id order: the list's order here.
            await conn.ExecuteAsync("""
                INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, source, status, revision, data_json, created_at, updated_at)
                VALUES (@VersionId, @orgId, @userId, 'Import', 'Submitted', 1, '{}', '2030-01-20T10:00:00.0000000Z', '2030-01-20T10:00:00.0000000Z')
                """, Enumerable.Range(0, total).Select(_ => new { round.VersionId, orgId, userId }));
        List<long> ids;
        await using (var conn = Open(app))
            ids = [.. await conn.QueryAsync<long>("SELECT id FROM responses WHERE questionnaire_version_id = @VersionId ORDER BY id", new { round.VersionId })];
        Assert.Equal(total, ids.Count);

        var first = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/{round.RoundId}/Responses?questionnaireId={round.QuestionnaireId}"));
        Assert.Equal(IndexModel.PageSize, CountResponses(first));
        Assert.Contains($"data-response=\"{ids[IndexModel.PageSize - 1]}\"", first, StringComparison.Ordinal);
        Assert.DoesNotContain($"data-response=\"{ids[IndexModel.PageSize]}\"", first, StringComparison.Ordinal);
        Assert.Contains($"Responses 1–{IndexModel.PageSize} of {total}", first, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"previous-responses\"", first, StringComparison.Ordinal);
        var nextUrl = Link(first, "next-responses");
        Assert.Contains($"questionnaireId={round.QuestionnaireId}", nextUrl, StringComparison.Ordinal);

        var second = WebUtility.HtmlDecode(await client.GetStringAsync(nextUrl));
        Assert.Equal(5, CountResponses(second));
        foreach (var id in ids[IndexModel.PageSize..]) Assert.Contains($"data-response=\"{id}\"", second, StringComparison.Ordinal);
        Assert.Contains($"Responses {IndexModel.PageSize + 1}–{total} of {total}", second, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"next-responses\"", second, StringComparison.Ordinal);
        Assert.Equal(IndexModel.PageSize, CountResponses(WebUtility.HtmlDecode(await client.GetStringAsync(Link(second, "previous-responses")))));

        // Without the questionnaire the round's list pages the same way (the other questionnaire has none).
        var all = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/{round.RoundId}/Responses"));
        Assert.Equal(IndexModel.PageSize, CountResponses(all));
        Assert.DoesNotContain("questionnaireId=", Link(all, "next-responses"), StringComparison.Ordinal);
        Assert.Equal(0, CountResponses(WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/{round.RoundId}/Responses?questionnaireId={other}"))));
        // A page number that is not one, or is out of range, is the first page or an empty one, never an error.
        foreach (var bad in new[] { "abc", "0", "-3", "99999999999" })
            Assert.Equal(IndexModel.PageSize, CountResponses(WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/{round.RoundId}/Responses?pageNumber={bad}"))));
        var beyond = await client.GetAsync($"/Rounds/{round.RoundId}/Responses?pageNumber=2147483647");
        Assert.Equal(HttpStatusCode.OK, beyond.StatusCode);
        Assert.Contains("No responses on this page.", await beyond.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static int CountResponses(string html) => System.Text.RegularExpressions.Regex.Count(html, "<tr data-response=");

    private static string Link(string html, string testId)
    {
        var a = System.Text.RegularExpressions.Regex.Match(html, $"<a [^>]*data-testid=\"{testId}\"[^>]*>");
        Assert.True(a.Success, $"no link {testId}");
        return System.Text.RegularExpressions.Regex.Match(a.Value, "href=\"([^\"]+)\"").Groups[1].Value;
    }
}
