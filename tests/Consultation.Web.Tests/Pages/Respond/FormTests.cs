using System.Net;
using System.Text.Json;
using Dapper;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>The respondent's form: autosave, optimistic concurrency, server-side validation, submit, amend, withdraw, closed rounds.</summary>
public sealed class FormTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private const string Astra = "respondent@demo.local";

    [Fact]
    public async Task Autosaved_draft_resumes_on_the_same_page_on_another_device()
    {
        var (_, q) = await OpenRoundAsync(app, "Autosave round", SmallSchema);
        var laptop = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(laptop, q);
        Assert.Equal(0, form.State.GetProperty("revision").GetInt64());

        var first = await SaveAsync(laptop, q, form.Token, """{ "score": 4 }""", page: 0, revision: 0);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, (await JsonAsync(first)).GetProperty("revision").GetInt64());
        var second = await SaveAsync(laptop, q, form.Token, """{ "score": 4, "note": "half a sentence" }""", page: 1, revision: 1);
        Assert.Equal(2, (await JsonAsync(second)).GetProperty("revision").GetInt64());

        var phone = await SignInAsync(app, Astra);
        var resumed = await OpenFormAsync(phone, q);

        Assert.Equal(2, resumed.State.GetProperty("revision").GetInt64());
        Assert.Equal(1, resumed.State.GetProperty("currentPage").GetInt64());
        Assert.Equal("half a sentence", resumed.State.GetProperty("data").GetProperty("note").GetString());
        Assert.Equal("Draft", resumed.State.GetProperty("status").GetString());
        Assert.Contains("/js/respond", resumed.Html, StringComparison.Ordinal);
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal(("Draft", 2L, 1L), (row.Status, row.Revision, row.CurrentPage));
    }

    [Fact]
    public async Task Save_with_a_stale_revision_gets_409_with_the_servers_copy_and_changes_nothing()
    {
        var (_, q) = await OpenRoundAsync(app, "Conflict round", SmallSchema);
        var tab1 = await SignInAsync(app, Astra);
        var tab2 = await SignInAsync(app, Astra);
        var form1 = await OpenFormAsync(tab1, q);
        var form2 = await OpenFormAsync(tab2, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(tab1, q, form1.Token, """{ "score": 2 }""", 0, 0)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(tab1, q, form1.Token, """{ "score": 3, "trend": "UP" }""", 0, 1)).StatusCode);

        // The second tab never saw revision 1 or 2.
        var stale = await SaveAsync(tab2, q, form2.Token, """{ "score": 5 }""", 0, 0);

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(stale);
        Assert.Equal("response.revision_conflict", problem.GetProperty("code").GetString());
        Assert.Equal(2, problem.GetProperty("serverRevision").GetInt64());
        Assert.Equal(3, problem.GetProperty("serverData").GetProperty("score").GetInt32());
        Assert.Equal("UP", problem.GetProperty("serverData").GetProperty("trend").GetString());
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.True(SameJson("""{ "score": 3, "trend": "UP" }""", row.DataJson));

        // "Keep mine": the same answers again on top of the server's revision go through.
        var keepMine = await SaveAsync(tab2, q, form2.Token, """{ "score": 5 }""", 0, 2);
        Assert.Equal(HttpStatusCode.OK, keepMine.StatusCode);
        Assert.Equal(3, (await JsonAsync(keepMine)).GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task Submit_accepts_a_hidden_panels_required_question_left_empty_and_a_dropdowns_generated_choice()
    {
        // QA's questionnaire: THB's panel shows only after "Yes"; the damage dropdown offers 1–5 from choicesMin/choicesMax.
        const string schema = """
            { "pages": [ { "name": "p1", "elements": [
              { "type": "boolean", "name": "thb_known", "isRequired": true },
              { "type": "panel", "name": "thb", "visibleIf": "{thb_known} = true", "elements": [
                { "type": "rating", "name": "thb_resources", "title": "THB resources", "isRequired": true } ] },
              { "type": "dropdown", "name": "drugs_damage", "choicesMin": 1, "choicesMax": 5, "isRequired": true } ] } ] }
            """;
        var (_, q) = await OpenRoundAsync(app, "Hidden panel and generated choices", schema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        const string data = """{ "thb_known": false, "drugs_damage": 4 }""";
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, data, 0, 0)).StatusCode);

        var response = await SubmitAsync(client, q, form.Token, data, revision: 1, key: Guid.NewGuid().ToString());

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("Submitted", Assert.Single(await ResponsesAsync(app, q)).Status);
    }

    [Theory]
    [InlineData("""{ "trend": "UP" }""", "score", "An answer is required.")]
    [InlineData("""{ "score": 7 }""", "score", "The value must be between 1 and 5.")]
    [InlineData("""{ "score": 3, "trend": "SIDEWAYS" }""", "trend", "\"SIDEWAYS\" is not one of the offered choices.")]
    [InlineData("""{ "score": 3, "injected": "x" }""", "injected", "The questionnaire has no question \"injected\".")]
    public async Task Submit_is_validated_on_the_server_with_errors_per_question(string data, string question, string message)
    {
        var (_, q) = await OpenRoundAsync(app, "Validation " + question + message.Length, SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, data, 0, 0)).StatusCode);

        var response = await SubmitAsync(client, q, form.Token, data, revision: 1, key: Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal("response.invalid_answers", problem.GetProperty("code").GetString());
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(question, error.GetProperty("question").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal("Draft", row.Status);
        Assert.Empty(await RevisionsAsync(app, row.Id));
    }

    [Fact]
    public async Task Receipt_is_written_in_the_respondents_saved_language()
    {
        const string group484 = "respondent2@demo.local";
        var (_, q) = await OpenRoundAsync(app, "Receipt language round", SmallSchema, "Group 484");
        await using (var conn = Open(app))
            await conn.ExecuteAsync("UPDATE users SET culture = 'mk' WHERE email = @group484", new { group484 });
        var client = await SignInAsync(app, group484);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB,en;q=0.9"); // the profile, not the browser, decides
        var form = await OpenFormAsync(client, q);
        var mailsBefore = app.Smtp.CountTo(group484);

        var submitted = await SubmitAsync(client, q, form.Token, """{ "score": 4 }""", revision: 0, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, submitted.StatusCode);
        var receipt = await app.Smtp.WaitForMessageAsync(group484, afterCount: mailsBefore);
        Assert.StartsWith("Потврда: Вашите одговори на „", receipt.Subject, StringComparison.Ordinal);
        Assert.Contains("Ревизија 1, поднесена на", receipt.TextBody ?? "", StringComparison.Ordinal);
        Assert.Contains($"/Respond/Form/{q}", receipt.TextBody ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_twice_with_the_same_idempotency_key_creates_one_revision_and_one_receipt()
    {
        var (_, q) = await OpenRoundAsync(app, "Idempotent round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        var mailsBefore = app.Smtp.CountTo(Astra);
        var key = Guid.NewGuid().ToString();

        var first = await SubmitAsync(client, q, form.Token, """{ "score": 4 }""", revision: 0, key);
        // The reply was lost; the browser sends the very same request again.
        var retry = await SubmitAsync(client, q, form.Token, """{ "score": 4 }""", revision: 0, key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var a = await JsonAsync(first);
        var b = await JsonAsync(retry);
        Assert.Equal(1, a.GetProperty("revisionNo").GetInt64());
        Assert.Equal(a.GetProperty("revisionNo").GetInt64(), b.GetProperty("revisionNo").GetInt64());
        Assert.Equal(a.GetProperty("submittedAt").GetString(), b.GetProperty("submittedAt").GetString());
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal("Submitted", row.Status);
        Assert.Single(await RevisionsAsync(app, row.Id));

        var receipt = await app.Smtp.WaitForMessageAsync(Astra, m => m.Subject?.StartsWith("Receipt: your answers to", StringComparison.Ordinal) == true, afterCount: mailsBefore);
        Assert.Contains($"/Respond/Form/{q}", receipt.TextBody ?? "", StringComparison.Ordinal);
        Assert.Contains("Revision 1", receipt.TextBody, StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Equal(mailsBefore + 1, app.Smtp.CountTo(Astra));
        await using var conn = Open(app);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'response.submitted' AND target = @Target", new { Target = $"response:{row.Id}" }));
    }

    /// <summary>
    /// A key answers retries of its own submission only (migration 0015): the same key sent for another questionnaire is
    /// that response's own submission, and a retry of either gets its own first answer.
    /// </summary>
    [Fact]
    public async Task A_key_used_for_another_questionnaire_is_that_responses_own_and_each_retry_gets_its_first_answer()
    {
        var (_, first) = await OpenRoundAsync(app, "Key round one", SmallSchema);
        var (_, second) = await OpenRoundAsync(app, "Key round two", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var key = Guid.NewGuid().ToString();
        var firstToken = (await OpenFormAsync(client, first)).Token;
        var secondToken = (await OpenFormAsync(client, second)).Token;
        var a = await SubmitAsync(client, first, firstToken, """{ "score": 4 }""", 0, key);
        var b = await SubmitAsync(client, second, secondToken, """{ "score": 2 }""", 0, key);
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);

        var aAgain = await SubmitAsync(client, first, firstToken, """{ "score": 4 }""", 0, key);
        var bAgain = await SubmitAsync(client, second, secondToken, """{ "score": 2 }""", 0, key);
        Assert.Equal(HttpStatusCode.OK, aAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bAgain.StatusCode);
        Assert.Equal((await JsonAsync(a)).GetProperty("submittedAt").GetString(), (await JsonAsync(aAgain)).GetProperty("submittedAt").GetString());
        Assert.Equal((await JsonAsync(b)).GetProperty("submittedAt").GetString(), (await JsonAsync(bAgain)).GetProperty("submittedAt").GetString());
        var one = Assert.Single(await ResponsesAsync(app, first));
        var two = Assert.Single(await ResponsesAsync(app, second));
        Assert.Equal("""{"score":4}""", Assert.Single(await RevisionsAsync(app, one.Id)).DataJson);
        Assert.Equal("""{"score":2}""", Assert.Single(await RevisionsAsync(app, two.Id)).DataJson);
    }

    /// <summary>
    /// A submission's key is kept on the revision it made, not on the response (migration 0013): a retry is recognised
    /// by the latest revision's key, and an earlier submission retried after a later one is a conflict — its revision
    /// is stale, so it can never write again (the key need not be unique: migration 0015).
    /// </summary>
    [Fact]
    public async Task Keys_are_kept_on_revisions_a_retry_gets_its_first_answer_and_an_earlier_key_retried_is_a_conflict()
    {
        var (_, q) = await OpenRoundAsync(app, "Keys on revisions round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        var (firstKey, secondKey) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var first = await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 2 }""", 0, firstKey));
        var revision = first.GetProperty("revision").GetInt64();
        var second = await SubmitAsync(client, q, form.Token, """{ "score": 3 }""", revision, secondKey);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var secondJson = await JsonAsync(second);

        var row = Assert.Single(await ResponsesAsync(app, q));
        await using (var conn = Open(app))
        {
            Assert.Null(await conn.ExecuteScalarAsync<string?>("SELECT idempotency_key FROM responses WHERE id = @Id", new { row.Id }));
            Assert.Equal([firstKey, secondKey], await conn.QueryAsync<string>(
                "SELECT idempotency_key FROM response_revisions WHERE response_id = @Id ORDER BY revision_no", new { row.Id }));
        }

        // The second request again (its reply lost): the second's answer, nothing written.
        var retried = await SubmitAsync(client, q, form.Token, """{ "score": 3 }""", revision, secondKey);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        var retriedJson = await JsonAsync(retried);
        Assert.Equal(2, retriedJson.GetProperty("revisionNo").GetInt64());
        Assert.Equal(secondJson.GetProperty("submittedAt").GetString(), retriedJson.GetProperty("submittedAt").GetString());

        // The first request again, after the second went through: not the first's answer, a conflict; nothing written.
        var stale = await SubmitAsync(client, q, form.Token, """{ "score": 2 }""", 0, firstKey);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(2, (await RevisionsAsync(app, row.Id)).Count);
        Assert.Equal("""{"score":3}""", Assert.Single(await ResponsesAsync(app, q)).DataJson);
    }

    [Fact]
    public async Task Amending_creates_revision_2_and_keeps_revision_1()
    {
        var (_, q) = await OpenRoundAsync(app, "Amend round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        var first = await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 2 }""", 0, Guid.NewGuid().ToString()));
        var revision = first.GetProperty("revision").GetInt64();

        var saved = await JsonAsync(await SaveAsync(client, q, form.Token, """{ "score": 5, "trend": "DOWN" }""", 0, revision));
        var amend = await SubmitAsync(client, q, form.Token, """{ "score": 5, "trend": "DOWN" }""", saved.GetProperty("revision").GetInt64(), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, amend.StatusCode);
        Assert.Equal(2, (await JsonAsync(amend)).GetProperty("revisionNo").GetInt64());
        var row = Assert.Single(await ResponsesAsync(app, q));
        var revisions = await RevisionsAsync(app, row.Id);
        Assert.Equal([1L, 2L], revisions.Select(r => r.RevisionNo));
        Assert.True(SameJson("""{ "score": 2 }""", revisions[0].DataJson));
        Assert.True(SameJson("""{ "score": 5, "trend": "DOWN" }""", revisions[1].DataJson));
        await using var conn = Open(app);
        var actions = await conn.QueryAsync<string>("SELECT action FROM audit_log WHERE target = @Target ORDER BY id", new { Target = $"response:{row.Id}" });
        Assert.Equal(["response.submitted", "response.amended"], actions);
        Assert.Contains("Submit amendment", (await OpenFormAsync(client, q)).Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Withdrawing_marks_the_response_withdrawn_keeps_its_revisions_and_is_audited()
    {
        var (_, q) = await OpenRoundAsync(app, "Withdraw round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(client, q, form.Token, """{ "score": 1 }""", 0, Guid.NewGuid().ToString())).StatusCode);

        var withdraw = await Forms.PostAsync(client, $"/Respond/Form/{q}", new Dictionary<string, string>(), $"/Respond/Form/{q}?handler=Withdraw");

        Assert.Equal(HttpStatusCode.Redirect, withdraw.StatusCode);
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal("Withdrawn", row.Status);
        Assert.Single(await RevisionsAsync(app, row.Id));
        await using (var conn = Open(app))
            Assert.Equal(1, await conn.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'response.withdrawn' AND target = @Target AND actor_email = @Astra",
                new { Target = $"response:{row.Id}", Astra }));
        var page = await client.GetStringAsync($"/Respond/Form/{q}");
        Assert.Contains("Your answers are withdrawn. They no longer count", page, StringComparison.Ordinal);
        // Said once right after withdrawing; the lasting note comes back on the next visit.
        Assert.DoesNotContain("Your answers are withdrawn and do not count.", page, StringComparison.Ordinal);
        Assert.Contains("Your answers are withdrawn and do not count.", await client.GetStringAsync($"/Respond/Form/{q}"), StringComparison.Ordinal);

        // Twice is refused with a message, not an error page.
        var again = await Forms.PostAsync(client, $"/Respond/Form/{q}", new Dictionary<string, string>(), $"/Respond/Form/{q}?handler=Withdraw");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Only submitted answers can be withdrawn.", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Closed_round_refuses_saves_and_submits_and_shows_the_draft_read_only()
    {
        var (roundId, q) = await OpenRoundAsync(app, "Closing round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, """{ "score": 3, "note": "draft kept" }""", 1, 0)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(await CoordinatorAsync(app), roundId, "Close")).StatusCode);

        var submit = await SubmitAsync(client, q, form.Token, """{ "score": 3, "note": "draft kept" }""", 1, Guid.NewGuid().ToString());
        var save = await SaveAsync(client, q, form.Token, """{ "score": 1 }""", 0, 1);

        foreach (var refused in new[] { submit, save })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await JsonAsync(refused);
            Assert.Equal("round.closed", problem.GetProperty("code").GetString());
            Assert.Equal("The round is closed. Your answers are kept but can no longer change.", problem.GetProperty("title").GetString());
        }
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal("Draft", row.Status);
        Assert.True(SameJson("""{ "score": 3, "note": "draft kept" }""", row.DataJson));
        Assert.Empty(await RevisionsAsync(app, row.Id));

        var page = await OpenFormAsync(client, q);
        Assert.True(page.State.GetProperty("readOnly").GetBoolean());
        Assert.Equal("draft kept", page.State.GetProperty("data").GetProperty("note").GetString());
        Assert.Contains("Your answers are kept but can no longer change.", page.Html, StringComparison.Ordinal);
        var list = await client.GetStringAsync("/Respond");
        Assert.Contains("Closing round", list, StringComparison.Ordinal);
        Assert.Contains("The round is closed. Your answers are kept and shown read-only.", list, StringComparison.Ordinal);
    }

    /// <summary>
    /// A round closed before the organisation saved anything: its page still opens (read-only, no form) so that answers
    /// typed on the device then can be shown; a save is refused as "closed", not "not found". The list does not show it.
    /// An organisation the round did not invite still finds nothing.
    /// </summary>
    [Fact]
    public async Task A_round_closed_before_a_first_save_still_shows_its_page_and_refuses_saves_as_closed()
    {
        var (roundId, q) = await OpenRoundAsync(app, "Closed before answering", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(await CoordinatorAsync(app), roundId, "Close")).StatusCode);

        var page = await OpenFormAsync(client, q);
        Assert.True(page.State.GetProperty("readOnly").GetBoolean());
        Assert.Contains("The round is closed and you did not answer this questionnaire.", page.Html, StringComparison.Ordinal);
        var save = await SaveAsync(client, q, form.Token, """{ "score": 1 }""", 0, 0);
        Assert.Equal(HttpStatusCode.Conflict, save.StatusCode);
        Assert.Equal("round.closed", (await JsonAsync(save)).GetProperty("code").GetString());
        Assert.Empty(await ResponsesAsync(app, q));
        Assert.DoesNotContain("Closed before answering", await client.GetStringAsync("/Respond"), StringComparison.Ordinal);

        var other = await SignInAsync(app, "respondent2@demo.local");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Respond/Form/{q}")).StatusCode);
    }

    [Fact]
    public async Task Respondent_list_shows_status_and_deadline_in_the_rounds_time_zone()
    {
        var (_, q) = await OpenRoundAsync(app, "Listed round", SmallSchema);
        var client = await SignInAsync(app, Astra);

        var before = await client.GetStringAsync("/Respond");
        Assert.Contains("Listed round", before, StringComparison.Ordinal);
        // RoundSteps closes rounds at 2030-02-10 17:00 Belgrade time.
        Assert.Contains("Deadline: 2030-02-10 17:00 (Europe/Belgrade)", before, StringComparison.Ordinal);
        Assert.Contains($"href=\"/Respond/Form/{q}\"", before, StringComparison.Ordinal);

        var form = await OpenFormAsync(client, q);
        await SaveAsync(client, q, form.Token, """{ "score": 2 }""", 0, 0);
        var after = await client.GetStringAsync("/Respond");
        var item = after[after.IndexOf($"/Respond/Form/{q}\"", StringComparison.Ordinal)..];
        Assert.Contains("data-progress=\"Draft\"", item[..item.IndexOf("</li>", StringComparison.Ordinal)], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Save_without_the_antiforgery_header_is_rejected_and_stores_nothing()
    {
        var (_, q) = await OpenRoundAsync(app, "Antiforgery round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        await OpenFormAsync(client, q);

        var response = await client.PostAsync(Consultation.Web.Pages.Respond.FormEndpoints.SaveUrl(q),
            System.Net.Http.Json.JsonContent.Create(new { data = new { score = 1 }, currentPage = 0, revision = 0 }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await ResponsesAsync(app, q));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{ "data": [1, 2, 3], "currentPage": 0, "revision": 0 }""")]
    [InlineData("""{ "data": "text", "currentPage": 0, "revision": 0 }""")]
    public async Task Malformed_autosave_is_a_400_problem_not_an_error_page(string body)
    {
        var (_, q) = await OpenRoundAsync(app, "Malformed " + body.Length, SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        using var request = new HttpRequestMessage(HttpMethod.Post, Consultation.Web.Pages.Respond.FormEndpoints.SaveUrl(q))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("RequestVerificationToken", form.Token);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("request.invalid", (await JsonAsync(response)).GetProperty("code").GetString());
        Assert.Empty(await ResponsesAsync(app, q));
    }

    [Fact]
    public async Task Two_first_saves_at_the_same_moment_create_one_response_and_one_conflict()
    {
        var (_, q) = await OpenRoundAsync(app, "Race round", SmallSchema);
        var laptop = await SignInAsync(app, Astra);
        var phone = await SignInAsync(app, Astra);
        var a = await OpenFormAsync(laptop, q);
        var b = await OpenFormAsync(phone, q);

        var results = await Task.WhenAll(
            SaveAsync(laptop, q, a.Token, """{ "score": 1 }""", 0, 0),
            SaveAsync(phone, q, b.Token, """{ "score": 5 }""", 0, 0));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], results.Select(r => r.StatusCode).Order());
        Assert.Single(await ResponsesAsync(app, q));
    }

    [Fact]
    public async Task Changes_after_submitting_are_a_draft_of_the_amendment_until_submitted_again()
    {
        var (_, q) = await OpenRoundAsync(app, "Amendment draft round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        var submitted = await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 2 }""", 0, Guid.NewGuid().ToString()));

        var saved = await SaveAsync(client, q, form.Token, """{ "score": 4 }""", 0, submitted.GetProperty("revision").GetInt64());

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal("Submitted", row.Status);
        var revision = Assert.Single(await RevisionsAsync(app, row.Id));
        Assert.True(SameJson("""{ "score": 2 }""", revision.DataJson), "the submitted revision must not follow the draft");
        var page = await OpenFormAsync(client, q);
        Assert.Contains("You have changes that are not submitted yet.", page.Html, StringComparison.Ordinal);
        Assert.Equal(4, page.State.GetProperty("data").GetProperty("score").GetInt32());
    }

    [Fact]
    public async Task Withdrawn_answers_can_be_submitted_again_as_the_next_revision()
    {
        var (_, q) = await OpenRoundAsync(app, "Resubmit round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        var form = await OpenFormAsync(client, q);
        var first = await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 3 }""", 0, Guid.NewGuid().ToString()));
        await Forms.PostAsync(client, $"/Respond/Form/{q}", new Dictionary<string, string>(), $"/Respond/Form/{q}?handler=Withdraw");

        var again = await SubmitAsync(client, q, form.Token, """{ "score": 3 }""", first.GetProperty("revision").GetInt64(), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, (await JsonAsync(again)).GetProperty("revisionNo").GetInt64());
        Assert.Equal("Submitted", Assert.Single(await ResponsesAsync(app, q)).Status);
    }

    [Fact]
    public async Task Respondent_pages_speak_serbian_latin()
    {
        var (_, q) = await OpenRoundAsync(app, "Serbian round", SmallSchema);
        var client = await SignInAsync(app, Astra);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("sr-Latn");

        var list = await client.GetStringAsync("/Respond");
        var form = await client.GetStringAsync($"/Respond/Form/{q}");

        Assert.Contains("Rok: 10.02.2030. 17:00 (Europe/Belgrade)", list, StringComparison.Ordinal);
        Assert.Contains("Nije započeto", list, StringComparison.Ordinal);
        Assert.Contains("Jezik upitnika", form, StringComparison.Ordinal);
        Assert.Contains("<option value=\"sr\" selected=\"selected\"", form, StringComparison.Ordinal);
    }
}
