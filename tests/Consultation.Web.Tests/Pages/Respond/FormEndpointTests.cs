using System.Net;
using System.Text;
using Consultation.Web.Pages.Respond;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>
/// The autosave and submission endpoints (<see cref="FormEndpoints"/>) do themselves what the page pipeline did for
/// the former page handlers: antiforgery, the account-state redirect, the body's type and shape — each refusal a
/// clear answer the script can show, and nothing stored.
/// </summary>
public sealed partial class FormEndpointTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string? token, string body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (token is not null) request.Headers.Add("RequestVerificationToken", token);
        return await client.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task Every_refusal_is_a_problem_and_stores_nothing()
    {
        var (_, q) = await OpenRoundAsync(app, "Endpoint refusals " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);
        const string save = """{ "data": { "score": 3 }, "currentPage": 0, "revision": 0 }""";

        await AssertProblemAsync(await PostAsync(client, FormEndpoints.SaveUrl(q), null, save), HttpStatusCode.BadRequest, "request.antiforgery");
        await AssertProblemAsync(await PostAsync(client, FormEndpoints.SubmitUrl(q), form.Token[..^4] + "AAAA", save), HttpStatusCode.BadRequest, "request.antiforgery");
        await AssertProblemAsync(await PostAsync(client, FormEndpoints.SaveUrl(q), form.Token, save, "text/plain"), HttpStatusCode.UnsupportedMediaType, "request.invalid");
        await AssertProblemAsync(await PostAsync(client, FormEndpoints.SaveUrl(q), form.Token, """{ "data": { "score": 3 }, "currentPage": true, "revision": 0 }"""),
            HttpStatusCode.BadRequest, "request.invalid");
        await AssertProblemAsync(await PostAsync(client, FormEndpoints.SaveUrl(q), form.Token, ""), HttpStatusCode.BadRequest, "request.invalid");
        // A submission whose answers are not an object is refused like such an autosave (not validated as "no answers").
        await AssertProblemAsync(await PostAsync(client, FormEndpoints.SubmitUrl(q), form.Token,
            """{ "data": [3], "currentPage": 0, "revision": 0, "idempotencyKey": "key-for-an-array" }"""), HttpStatusCode.BadRequest, "request.invalid");
        await AssertProblemAsync(await PostAsync(client, FormEndpoints.SubmitUrl(q), form.Token, save), HttpStatusCode.BadRequest, "request.invalid");
        Assert.Empty(await ResponsesAsync(app, q));

        // As model binding did: property names in any case, numbers also as strings, unknown properties ignored.
        var lenient = await PostAsync(client, FormEndpoints.SaveUrl(q), form.Token,
            """{ "Data": { "score": 3 }, "CURRENTPAGE": "1", "revision": "0", "extra": [1, 2] }""");
        Assert.Equal(HttpStatusCode.OK, lenient.StatusCode);
        Assert.Equal(1, (await JsonAsync(lenient)).GetProperty("revision").GetInt64());
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal((1L, """{"score":3}"""), (row.CurrentPage, row.DataJson));
    }

    /// <summary>
    /// Answers within the request limit (Rounds:MaxAnswerBytes, 1 MiB) but longer than what is stored
    /// (AnswerValidator.MaxDataLength): too large as well, not "not a JSON object".
    /// </summary>
    [Fact]
    public async Task Answers_within_the_request_limit_but_longer_than_what_is_stored_are_too_large_too()
    {
        var (_, q) = await OpenRoundAsync(app, "Long answers " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);
        var note = new string('x', Consultation.Core.Responses.AnswerValidator.MaxDataLength + 10);
        Assert.True(note.Length + 100 < 1024 * 1024);

        var save = await PostAsync(client, FormEndpoints.SaveUrl(q), form.Token, $$"""{ "data": { "note": "{{note}}" }, "currentPage": 0, "revision": 0 }""");
        var submit = await PostAsync(client, FormEndpoints.SubmitUrl(q), form.Token,
            $$"""{ "data": { "score": 3, "note": "{{note}}" }, "currentPage": 0, "revision": 0, "idempotencyKey": "key-for-a-long-note" }""");

        foreach (var response in new[] { save, submit })
        {
            await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.too_large");
            Assert.Contains("at most 976 KB", (await JsonAsync(response)).GetProperty("title").GetString(), StringComparison.Ordinal);
        }
        Assert.Empty(await ResponsesAsync(app, q));
    }

    [Fact]
    public async Task A_respondent_who_must_change_their_password_is_sent_there_and_nothing_is_saved()
    {
        var (_, q) = await OpenRoundAsync(app, "Must change password " + Guid.NewGuid().ToString("N")[..6], SmallSchema, "Group 484");
        var client = await SignInAsync(app, "respondent2@demo.local");
        var form = await OpenFormAsync(client, q);
        await using (var conn = app.Connection())
            await conn.ExecuteAsync("UPDATE users SET must_change_password = 1 WHERE email = 'respondent2@demo.local'");
        try
        {
            foreach (var url in new[] { FormEndpoints.SaveUrl(q), FormEndpoints.SubmitUrl(q) })
            {
                var response = await PostAsync(client, url, form.Token,
                    """{ "data": { "score": 3 }, "currentPage": 0, "revision": 0, "idempotencyKey": "must-change-1" }""");
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
                Assert.Equal("/Account/Manage/ChangePassword", response.Headers.Location?.OriginalString);
            }
            Assert.Empty(await ResponsesAsync(app, q));
        }
        finally
        {
            await using var conn = app.Connection();
            await conn.ExecuteAsync("UPDATE users SET must_change_password = 0 WHERE email = 'respondent2@demo.local'");
        }
    }

    [Fact]
    public async Task The_former_page_handlers_are_gone_not_an_error()
    {
        var (_, q) = await OpenRoundAsync(app, "Former handlers " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);

        var response = await PostAsync(client, $"/Respond/Form/{q}?handler=Save", form.Token, """{ "data": { "score": 3 }, "currentPage": 0, "revision": 0 }""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(await ResponsesAsync(app, q));
    }

    /// <summary>An autosave of an existing draft is one guarded statement; each guard refuses as the full path does.</summary>
    [Fact]
    public async Task An_autosave_of_a_draft_is_refused_once_the_closing_time_passed_or_the_organisation_was_removed()
    {
        var (roundId, q) = await OpenRoundAsync(app, "Guarded autosave " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, """{ "score": 1 }""", 0, 0)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, """{ "score": 2 }""", 0, 1)).StatusCode);

        // Still "Open", but its closing time is past (the background pass has not closed it yet).
        (string OpensAt, string ClosesAt) dates;
        await using (var conn = app.Connection())
        {
            dates = await conn.QuerySingleAsync<(string, string)>("SELECT opens_at, closes_at FROM rounds WHERE id = @roundId", new { roundId });
            await conn.ExecuteAsync("UPDATE rounds SET opens_at = @opened, closes_at = @past WHERE id = @roundId",
                new { opened = DateTimeOffset.UtcNow.AddDays(-2), past = DateTimeOffset.UtcNow.AddMinutes(-1), roundId });
        }
        var late = await SaveAsync(client, q, form.Token, """{ "score": 3 }""", 0, 2);
        await AssertProblemAsync(late, HttpStatusCode.Conflict, "round.closed");

        // Open again, but the organisation is no longer invited: not found, as for any foreign questionnaire.
        await using (var conn = app.Connection())
        {
            await conn.ExecuteAsync("UPDATE rounds SET opens_at = @OpensAt, closes_at = @ClosesAt WHERE id = @roundId", new { dates.OpensAt, dates.ClosesAt, roundId });
            await conn.ExecuteAsync("DELETE FROM round_organisations WHERE round_id = @roundId", new { roundId });
        }
        await AssertProblemAsync(await SaveAsync(client, q, form.Token, """{ "score": 4 }""", 0, 2), HttpStatusCode.NotFound, "not_found");

        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal((2L, """{"score":2}"""), (row.Revision, row.DataJson));
    }

    private long GuardedSubmissions => app.Services.GetRequiredService<FormActions>().GuardedSubmissions;

    private async Task<IReadOnlyList<(string Subject, string TextBody)>> ReceiptsAsync(long q)
    {
        await using var conn = app.Connection();
        return (await conn.QueryAsync<(string, string)>("SELECT subject, text_body FROM mail_outbox WHERE text_body LIKE @link ORDER BY id",
            new { link = $"%/Respond/Form/{q}" })).ToList();
    }

    /// <summary>
    /// A submission of a response that already has a revision, to a questionnaire the process has read, skips the
    /// read and is one guarded statement: it writes the same rows and the same receipt as the full path.
    /// </summary>
    [Fact]
    public async Task A_guarded_submission_writes_what_the_full_path_writes()
    {
        var title = "Guarded submission " + Guid.NewGuid().ToString("N")[..6];
        var (_, q) = await OpenRoundAsync(app, title, SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);
        var guardedBefore = GuardedSubmissions;

        // The first submission reads the questionnaire (full path); the amendment after an autosave does not.
        var first = await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 2 }""", 0, "guarded-first-" + q));
        Assert.Equal(guardedBefore, GuardedSubmissions);
        var saved = await JsonAsync(await SaveAsync(client, q, form.Token, """{ "score": 4 }""", 1, first.GetProperty("revision").GetInt64()));
        var key = "guarded-amend-" + q;
        var amend = await SubmitAsync(client, q, form.Token, """{ "score": 5, "trend": "DOWN" }""", saved.GetProperty("revision").GetInt64(), key, page: 1);
        Assert.Equal(HttpStatusCode.OK, amend.StatusCode);
        Assert.Equal(guardedBefore + 1, GuardedSubmissions);
        var answer = await JsonAsync(amend);
        Assert.Equal(("Submitted", 2L), (answer.GetProperty("status").GetString(), answer.GetProperty("revisionNo").GetInt64()));
        Assert.Contains("revision 2 received", answer.GetProperty("message").GetString(), StringComparison.Ordinal);

        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal(("Submitted", answer.GetProperty("revision").GetInt64(), 1L), (row.Status, row.Revision, row.CurrentPage));
        Assert.True(SameJson("""{ "score": 5, "trend": "DOWN" }""", row.DataJson));
        var revisions = await RevisionsAsync(app, row.Id);
        Assert.Equal([1L, 2L], revisions.Select(r => r.RevisionNo));
        Assert.True(SameJson("""{ "score": 5, "trend": "DOWN" }""", revisions[1].DataJson));
        await using (var conn = app.Connection())
        {
            var audit = (await conn.QueryAsync<(string Action, string Details)>(
                "SELECT action, details FROM audit_log WHERE target = @target ORDER BY id", new { target = $"response:{row.Id}" })).ToList();
            Assert.Equal([("response.submitted", $"questionnaire:{q} revision 1"), ("response.amended", $"questionnaire:{q} revision 2")], audit);
        }
        var receipts = await ReceiptsAsync(q);
        Assert.Equal(2, receipts.Count);
        await using (var conn = app.Connection())
        {
            var questionnaireTitle = await conn.QuerySingleAsync<string>("SELECT title FROM questionnaires WHERE id = @q", new { q });
            Assert.All(receipts, r => Assert.Equal($"Receipt: your answers to \"{questionnaireTitle}\"", r.Subject));
        }
        Assert.Contains($"in the round \"{title}\".\n\nRevision 1, submitted at ", receipts[0].TextBody, StringComparison.Ordinal);
        Assert.Contains($"in the round \"{title}\".\n\nRevision 2, submitted at ", receipts[1].TextBody, StringComparison.Ordinal);
        // Apart from the number and the time, the two receipts are the same text.
        Assert.Equal(Untimed(receipts[0].TextBody).Replace("Revision 1,", "Revision 2,", StringComparison.Ordinal), Untimed(receipts[1].TextBody));

        // A retry of the guarded submission answers what it committed, and writes nothing more.
        var retry = await SubmitAsync(client, q, form.Token, """{ "score": 5, "trend": "DOWN" }""", saved.GetProperty("revision").GetInt64(), key, page: 1);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(2, (await JsonAsync(retry)).GetProperty("revisionNo").GetInt64());
        Assert.Equal(2, (await RevisionsAsync(app, row.Id)).Count);
        Assert.Equal(2, (await ReceiptsAsync(q)).Count);
    }

    /// <summary>Sends the requests while the writer is held (<see cref="WriterHold"/>) until all their writes are queued: one batch takes them.</summary>
    private async Task<HttpResponseMessage[]> InOneBatchAsync(IReadOnlyList<Func<Task<HttpResponseMessage>>> requests)
    {
        var writer = app.Services.GetRequiredService<ResponseWriter>();
        var hold = await WriterHold.HoldAsync(writer);
        var sent = requests.Select(r => r()).ToList();
        for (var waited = 0; writer.Queued < sent.Count; waited += 10)
        {
            Assert.True(waited < 10_000, $"{writer.Queued} of {sent.Count} writes queued");
            await Task.Delay(10);
        }
        await hold.ReleaseFirstAsync();
        var answers = await Task.WhenAll(sent);
        await hold.ReleaseAllAsync();
        return answers;
    }

    /// <summary>Three open questionnaires, each with a response the respondent has written once (<paramref name="first"/>: questionnaire, token).</summary>
    private async Task<List<(long Q, string Token, long Revision)>> ThreeWrittenFormsAsync(HttpClient client, string title,
        Func<long, string, Task<HttpResponseMessage>> first)
    {
        var forms = new List<(long Q, string Token, long Revision)>();
        for (var i = 0; i < 3; i++)
        {
            var (_, q) = await OpenRoundAsync(app, $"{title} {i} " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
            var form = await OpenFormAsync(client, q);
            var written = await JsonAsync(await first(q, form.Token));
            forms.Add((q, form.Token, written.GetProperty("revision").GetInt64()));
        }
        return forms;
    }

    private bool OnPostgres => app.Services.GetRequiredService<Consultation.Web.Infrastructure.Data.Db>().Dialect == Consultation.Web.Infrastructure.Data.DatabaseProvider.Postgres;

    /// <summary>
    /// Autosaves that meet in one batch (on PostgreSQL one statement for all of them) each save their own answers; two
    /// for the same response at the same revision: one is saved, the other is a conflict.
    /// </summary>
    [Fact]
    public async Task Autosaves_in_one_batch_each_save_their_own_answers()
    {
        var client = await SignInAsync(app, "respondent@demo.local");
        var forms = await ThreeWrittenFormsAsync(client, "Batched autosave", (q, token) => SaveAsync(client, q, token, """{ "score": 1 }""", 0, 0));
        var manyBefore = ResponseWriter.ManyStatements;
        var requests = forms.Select((f, i) => (Func<Task<HttpResponseMessage>>)(() =>
            SaveAsync(client, f.Q, f.Token, $$"""{ "score": {{i + 3}} }""", 1, f.Revision))).ToList();
        requests.Add(() => SaveAsync(client, forms[0].Q, forms[0].Token, """{ "score": 2 }""", 2, forms[0].Revision));

        var answers = await InOneBatchAsync(requests);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], answers.Skip(1).Take(2).Select(a => a.StatusCode));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], new[] { answers[0].StatusCode, answers[3].StatusCode }.Order());
        if (OnPostgres) Assert.True(ResponseWriter.ManyStatements > manyBefore);
        for (var i = 0; i < forms.Count; i++)
        {
            var row = Assert.Single(await ResponsesAsync(app, forms[i].Q));
            var (expected, page) = i == 0 && answers[0].StatusCode != HttpStatusCode.OK ? ("""{ "score": 2 }""", 2) : ($$"""{ "score": {{i + 3}} }""", 1);
            Assert.True(SameJson(expected, row.DataJson), row.DataJson);
            Assert.Equal(("Draft", forms[i].Revision + 1, page), (row.Status, row.Revision, row.CurrentPage));
            var answer = answers[i == 0 && answers[0].StatusCode != HttpStatusCode.OK ? 3 : i];
            Assert.Equal(row.Revision, (await JsonAsync(answer)).GetProperty("revision").GetInt64());
        }
    }

    /// <summary>
    /// Guarded submissions that meet in one batch of the writer (on PostgreSQL one statement for all of them) each write
    /// their own revision, audit entry and receipt; two for the same response at the same revision: one is written,
    /// the other is the conflict it would be one after the other.
    /// </summary>
    [Fact]
    public async Task Guarded_submissions_in_one_batch_each_write_their_own_rows()
    {
        var client = await SignInAsync(app, "respondent@demo.local");
        var forms = await ThreeWrittenFormsAsync(client, "Batched guarded",
            (q, token) => SubmitAsync(client, q, token, """{ "score": 1 }""", 0, $"batched-first-{q}"));
        var guardedBefore = GuardedSubmissions;
        var manyBefore = ResponseWriter.ManyStatements;

        var sent = forms.Select((f, i) => (Func<Task<HttpResponseMessage>>)(() =>
            SubmitAsync(client, f.Q, f.Token, $$"""{ "score": {{i + 3}} }""", f.Revision, $"batched-amend-{f.Q}"))).ToList();
        // The first questionnaire's response again, at the same revision, with another key.
        sent.Add(() => SubmitAsync(client, forms[0].Q, forms[0].Token, """{ "score": 2 }""", forms[0].Revision, $"batched-twice-{forms[0].Q}"));
        var answers = await InOneBatchAsync(sent);

        // Of the two for the first response, the one that was written answers 200 and the other 409.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], answers.Skip(1).Take(2).Select(a => a.StatusCode));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], new[] { answers[0].StatusCode, answers[3].StatusCode }.Order());
        Assert.Equal(guardedBefore + 3, GuardedSubmissions);
        // On PostgreSQL the four went to the server as one statement (HotSql.Many); SQLite runs them one by one.
        if (OnPostgres) Assert.True(ResponseWriter.ManyStatements > manyBefore);
        for (var i = 0; i < forms.Count; i++)
        {
            var q = forms[i].Q;
            var row = Assert.Single(await ResponsesAsync(app, q));
            var expected = i == 0 && answers[0].StatusCode != HttpStatusCode.OK ? """{ "score": 2 }""" : $$"""{ "score": {{i + 3}} }""";
            Assert.True(SameJson(expected, row.DataJson), row.DataJson);
            var revisions = await RevisionsAsync(app, row.Id);
            Assert.Equal([1L, 2L], revisions.Select(r => r.RevisionNo));
            Assert.True(SameJson(expected, revisions[1].DataJson));
            await using (var conn = app.Connection())
            {
                Assert.Equal([("response.submitted", $"questionnaire:{q} revision 1"), ("response.amended", $"questionnaire:{q} revision 2")],
                    (await conn.QueryAsync<(string, string)>("SELECT action, details FROM audit_log WHERE target = @target ORDER BY id",
                        new { target = $"response:{row.Id}" })).ToList());
                Assert.Equal(2, await conn.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM response_revisions WHERE response_id = @Id AND idempotency_key IS NOT NULL", new { row.Id }));
            }
            var receipts = await ReceiptsAsync(q);
            Assert.Equal(2, receipts.Count);
            Assert.Contains("Revision 2, submitted at ", receipts[1].TextBody, StringComparison.Ordinal);
        }
    }

    private static string Untimed(string receipt) => SubmittedAt().Replace(receipt, "submitted at …");

    [System.Text.RegularExpressions.GeneratedRegex(@"submitted at [^(]*")]
    private static partial System.Text.RegularExpressions.Regex SubmittedAt();

    /// <summary>
    /// What the guarded submission remembered is checked by its statement: a renamed questionnaire's receipt has the
    /// new name (the full path answers and remembers it), and a round past its closing time or no longer open to the
    /// organisation refuses as the full path does, writing nothing.
    /// </summary>
    [Fact]
    public async Task A_guarded_submission_falls_back_when_the_questionnaire_changed_and_refuses_like_the_full_path()
    {
        var (roundId, q) = await OpenRoundAsync(app, "Guarded fallback " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);
        var revision = (await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 1 }""", 0, "fallback-1-" + q))).GetProperty("revision").GetInt64();

        await using (var conn = app.Connection())
            await conn.ExecuteAsync("UPDATE questionnaires SET title = 'Renamed questionnaire' WHERE id = @q", new { q });
        var guardedBefore = GuardedSubmissions;
        var renamed = await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 2 }""", revision, "fallback-2-" + q));
        Assert.Equal(guardedBefore, GuardedSubmissions);
        Assert.Equal("Receipt: your answers to \"Renamed questionnaire\"", (await ReceiptsAsync(q))[^1].Subject);
        revision = renamed.GetProperty("revision").GetInt64();
        // Remembered again: the next one is guarded, and names it too.
        revision = (await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 3 }""", revision, "fallback-3-" + q))).GetProperty("revision").GetInt64();
        Assert.Equal(guardedBefore + 1, GuardedSubmissions);
        Assert.Equal("Receipt: your answers to \"Renamed questionnaire\"", (await ReceiptsAsync(q))[^1].Subject);

        (string OpensAt, string ClosesAt) dates;
        await using (var conn = app.Connection())
        {
            dates = await conn.QuerySingleAsync<(string, string)>("SELECT opens_at, closes_at FROM rounds WHERE id = @roundId", new { roundId });
            await conn.ExecuteAsync("UPDATE rounds SET opens_at = @opened, closes_at = @past WHERE id = @roundId",
                new { opened = DateTimeOffset.UtcNow.AddDays(-2), past = DateTimeOffset.UtcNow.AddMinutes(-1), roundId });
        }
        await AssertProblemAsync(await SubmitAsync(client, q, form.Token, """{ "score": 4 }""", revision, "fallback-4-" + q), HttpStatusCode.Conflict, "round.closed");
        await using (var conn = app.Connection())
        {
            await conn.ExecuteAsync("UPDATE rounds SET opens_at = @OpensAt, closes_at = @ClosesAt WHERE id = @roundId", new { dates.OpensAt, dates.ClosesAt, roundId });
            await conn.ExecuteAsync("DELETE FROM round_organisations WHERE round_id = @roundId", new { roundId });
        }
        await AssertProblemAsync(await SubmitAsync(client, q, form.Token, """{ "score": 5 }""", revision, "fallback-5-" + q), HttpStatusCode.NotFound, "not_found");

        Assert.Equal(guardedBefore + 1, GuardedSubmissions);
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Equal(revision, row.Revision);
        Assert.Equal([1L, 2L, 3L], (await RevisionsAsync(app, row.Id)).Select(r => r.RevisionNo));
        Assert.Equal(3, (await ReceiptsAsync(q)).Count);
    }

    /// <summary>A template's questionnaire (title not renamed) is named in the receipt as the respondent's form names it: in their language.</summary>
    [Fact]
    public async Task Receipt_names_a_template_questionnaire_in_the_respondents_language()
    {
        const string macedonian = "respondent2@demo.local";
        // The stored title is the template's English one; the definition carries the template's titles by language.
        var schema = SmallSchema.Replace("\"title\": \"Small questionnaire\"",
            "\"title\": { \"default\": \"Five-indicator assessment\", \"mk\": \"Проценка според пет индикатори\" }", StringComparison.Ordinal);
        var (_, q) = await OpenRoundAsync(app, "Receipt title " + Guid.NewGuid().ToString("N")[..6], schema, "Group 484");
        string? culture;
        await using (var conn = app.Connection())
        {
            culture = await conn.QuerySingleOrDefaultAsync<string?>("SELECT culture FROM users WHERE email = @macedonian", new { macedonian });
            await conn.ExecuteAsync("UPDATE users SET culture = 'mk' WHERE email = @macedonian", new { macedonian });
        }
        try
        {
            var client = await SignInAsync(app, macedonian);
            var form = await OpenFormAsync(client, q);
            var first = await JsonAsync(await SubmitAsync(client, q, form.Token, """{ "score": 3 }""", 0, "title-1-" + q));
            await SubmitAsync(client, q, form.Token, """{ "score": 4 }""", first.GetProperty("revision").GetInt64(), "title-2-" + q); // the guarded path

            var receipts = await ReceiptsAsync(q);
            Assert.Equal(2, receipts.Count);
            Assert.All(receipts, r => Assert.Contains("„Проценка според пет индикатори“", r.Subject, StringComparison.Ordinal));
        }
        finally
        {
            await using var conn = app.Connection();
            await conn.ExecuteAsync("UPDATE users SET culture = @culture WHERE email = @macedonian", new { culture, macedonian });
        }
    }

    /// <summary>The receipt's texts are kept by questionnaire and language: each respondent's receipt stays in their own.</summary>
    [Fact]
    public async Task Receipts_of_one_questionnaire_are_each_in_the_respondents_language()
    {
        const string english = "respondent@demo.local", macedonian = "respondent2@demo.local";
        var (_, q) = await OpenRoundAsync(app, "Receipt languages " + Guid.NewGuid().ToString("N")[..6], SmallSchema, "ASTRA", "Group 484");
        string? culture;
        await using (var conn = app.Connection())
        {
            culture = await conn.QuerySingleOrDefaultAsync<string?>("SELECT culture FROM users WHERE email = @macedonian", new { macedonian });
            await conn.ExecuteAsync("UPDATE users SET culture = 'mk' WHERE email = @macedonian", new { macedonian });
        }
        try
        {
            var revisions = new Dictionary<string, long>();
            var clients = new Dictionary<string, (HttpClient Client, string Token)>();
            foreach (var who in new[] { english, macedonian })
            {
                var client = await SignInAsync(app, who);
                clients[who] = (client, (await OpenFormAsync(client, q)).Token);
            }
            var guardedBefore = GuardedSubmissions;
            for (var round = 1; round <= 2; round++)
            {
                foreach (var who in new[] { english, macedonian })
                {
                    var (client, token) = clients[who];
                    var answer = await JsonAsync(await SubmitAsync(client, q, token, $$"""{ "score": {{round}} }""",
                        revisions.GetValueOrDefault(who), $"languages-{round}-{(who == english ? "en" : "mk")}-{q}"));
                    revisions[who] = answer.GetProperty("revision").GetInt64();
                }
            }
            Assert.Equal(guardedBefore + 2, GuardedSubmissions); // the amendments

            await using var check = app.Connection();
            var bodies = (await check.QueryAsync<(string To, string Subject, string Text)>(
                "SELECT recipient, subject, text_body FROM mail_outbox WHERE text_body LIKE @link ORDER BY id", new { link = $"%/Respond/Form/{q}" })).ToList();
            Assert.Equal([english, macedonian, english, macedonian], bodies.Select(b => b.To));
            Assert.All(bodies.Where(b => b.To == english), b => Assert.StartsWith("Receipt: your answers to", b.Subject, StringComparison.Ordinal));
            Assert.All(bodies.Where(b => b.To == macedonian), b => Assert.StartsWith("Потврда: Вашите одговори на „", b.Subject, StringComparison.Ordinal));
            Assert.Contains("Revision 2, submitted at", bodies[2].Text, StringComparison.Ordinal);
            Assert.Contains("Ревизија 2, поднесена на", bodies[3].Text, StringComparison.Ordinal);
        }
        finally
        {
            await using var conn = app.Connection();
            await conn.ExecuteAsync("UPDATE users SET culture = @culture WHERE email = @macedonian", new { culture, macedonian });
        }
    }
}
