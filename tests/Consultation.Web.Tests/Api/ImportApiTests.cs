using System.Net;
using System.Text.Json;
using static Consultation.Web.Tests.Api.ApiTestKit;

namespace Consultation.Web.Tests.Api;

/// <summary>POST /api/v1/rounds/{id}/responses/import: all or nothing, stored as ordinary submitted responses.</summary>
public sealed class ImportApiTests(ImportApiTests.Factory app) : IClassFixture<ImportApiTests.Factory>
{
    public sealed class Factory : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Api:MaxImportBytes", "20000")];
    }

    /// <summary>The round settings of DOMAIN.md's worked example.</summary>
    public const string WorkedExampleRound = """
        {
          "title": "Worked example",
          "crimeAreas": ["DRUGS", "THB", "CYBER"],
          "categoryWeights": { "AGENCY": 1.5, "NGO": 1.0, "ACADEMIC": 0.8 },
          "indicatorWeights": { "DAMAGE": 2 },
          "minOrganisations": 3,
          "defaultGrading": "B2",
          "organisations": ["Border Police Directorate", "Customs Administration", "ASTRA", "Group 484", "Share Foundation", "Faculty of Security Studies"]
        }
        """;

    /// <summary>The seven responses of DOMAIN.md's worked example (Group 484 twice).</summary>
    public const string WorkedExampleImport = """
        { "responses": [
          { "organisation": "Border Police Directorate", "grading": "A1", "scores": {
              "DRUGS": { "RESOURCES": 4, "SCOPE": 5, "FLEXIBILITY": 4, "SOCIAL_TOLERANCE": 3, "DAMAGE": 5 },
              "THB":   { "RESOURCES": 3, "SCOPE": 3, "FLEXIBILITY": 4, "SOCIAL_TOLERANCE": 2, "DAMAGE": 5 } } },
          { "organisation": "Customs Administration", "grading": "B2", "scores": {
              "DRUGS": { "RESOURCES": 3, "SCOPE": 4, "FLEXIBILITY": 4, "SOCIAL_TOLERANCE": 4, "DAMAGE": 4 },
              "CYBER": { "RESOURCES": 5, "SCOPE": 4, "FLEXIBILITY": 5, "SOCIAL_TOLERANCE": 3, "DAMAGE": 4 } } },
          { "organisation": "ASTRA", "grading": "B1", "scores": {
              "DRUGS": { "RESOURCES": 3, "SCOPE": 3, "FLEXIBILITY": 3, "SOCIAL_TOLERANCE": 4, "DAMAGE": 4, "CONFIDENCE": "LOW" },
              "THB":   { "RESOURCES": 4, "SCOPE": 4, "FLEXIBILITY": 5, "SOCIAL_TOLERANCE": 3, "DAMAGE": 5, "CONFIDENCE": "HIGH" } } },
          { "organisation": "Group 484", "grading": "C2", "scores": {
              "THB":   { "RESOURCES": 4, "SCOPE": 5, "FLEXIBILITY": 4, "SOCIAL_TOLERANCE": 2, "DAMAGE": 4, "CONFIDENCE": "MEDIUM" } } },
          { "organisation": "Group 484", "grading": null, "scores": {
              "THB":   { "RESOURCES": 5, "SCOPE": 4, "FLEXIBILITY": 4, "SOCIAL_TOLERANCE": 1, "DAMAGE": 5 } } },
          { "organisation": "Share Foundation", "grading": "B3", "scores": {
              "CYBER": { "RESOURCES": 4, "SCOPE": 5, "FLEXIBILITY": 5, "SOCIAL_TOLERANCE": 4, "DAMAGE": 3 } } },
          { "organisation": "Faculty of Security Studies", "grading": "X2", "scores": {
              "DRUGS": { "RESOURCES": 2, "SCOPE": 4, "FLEXIBILITY": 3, "SOCIAL_TOLERANCE": 5, "DAMAGE": 3, "CONFIDENCE": "MEDIUM" },
              "THB":   { "RESOURCES": 3, "SCOPE": 3, "FLEXIBILITY": 3, "SOCIAL_TOLERANCE": 2, "DAMAGE": 4 } } }
        ] }
        """;

    private async Task<(HttpClient Client, long RoundId)> RoundAsync(string roundJson = WorkedExampleRound)
    {
        var client = Client(app, await TokenAsync(app, "rounds:write responses:import evidence:read"));
        var created = await client.PostJsonAsync("/api/v1/rounds", roundJson);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (client, (await BodyAsync(created)).GetProperty("id").GetInt64());
    }

    private Task<long> ResponsesInRoundAsync(long roundId) => ScalarAsync(app, """
        SELECT COUNT(*) FROM responses s JOIN questionnaire_versions v ON v.id = s.questionnaire_version_id
                                         JOIN questionnaires q ON q.id = v.questionnaire_id
         WHERE q.round_id = @roundId
        """, new { roundId });


    [Fact]
    public async Task The_worked_example_imports_as_seven_submitted_responses_of_a_hidden_published_questionnaire()
    {
        var (client, roundId) = await RoundAsync();
        var response = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", WorkedExampleImport);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = await BodyAsync(response);
        Assert.Equal(7, result.GetProperty("imported").GetInt32());
        Assert.Equal(7, result.GetProperty("responseIds").GetArrayLength());

        Assert.Equal(7, await ResponsesInRoundAsync(roundId));
        Assert.Equal(7, await ScalarAsync(app, """
            SELECT COUNT(*) FROM responses s
              JOIN questionnaire_versions v ON v.id = s.questionnaire_version_id AND v.status = 'Published'
              JOIN questionnaires q ON q.id = v.questionnaire_id AND q.template = 'IMPORT' AND q.round_id = @roundId
              JOIN response_revisions rr ON rr.response_id = s.id AND rr.revision_no = 1 AND rr.data_json = s.data_json
              JOIN users u ON u.id = s.respondent_user_id AND u.email = 'admin@demo.local'
             WHERE s.status = 'Submitted' AND s.submitted_at IS NOT NULL
            """, new { roundId }));
        // Group 484 twice; its second row ungraded (the round's default applies).
        Assert.Equal(2, await ScalarAsync(app, """
            SELECT COUNT(*) FROM responses s JOIN organisations o ON o.id = s.organisation_id
             WHERE o.name = 'Group 484' AND s.questionnaire_version_id = @v
            """, new { v = result.GetProperty("questionnaireVersionId").GetInt64() }));
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM responses WHERE questionnaire_version_id = @v AND grading IS NULL",
            new { v = result.GetProperty("questionnaireVersionId").GetInt64() }));

        // The answers are in the five-indicator template's format, so the evidence reads them like any other.
        await using (var conn = app.Connection())
        {
            var astra = await Dapper.SqlMapper.ExecuteScalarAsync<string>(conn, """
                SELECT s.data_json FROM responses s JOIN organisations o ON o.id = s.organisation_id
                 WHERE o.name = 'ASTRA' AND s.questionnaire_version_id = @v
                """, new { v = result.GetProperty("questionnaireVersionId").GetInt64() });
            using var data = JsonDocument.Parse(astra!);
            Assert.Equal(4, data.RootElement.GetProperty("DRUGS_indicators").GetProperty("DAMAGE").GetInt32());
            Assert.Equal("LOW", data.RootElement.GetProperty("DRUGS_confidence").GetString());
            Assert.Equal("HIGH", data.RootElement.GetProperty("THB_confidence").GetString());
        }

        // A second import reuses the same questionnaire version.
        var again = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import",
            """{ "responses": [ { "organisation": "ASTRA", "scores": { "CYBER": { "SCOPE": 2 } } } ] }""");
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(result.GetProperty("questionnaireVersionId").GetInt64(), (await BodyAsync(again)).GetProperty("questionnaireVersionId").GetInt64());
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM questionnaires WHERE round_id = @roundId AND template = 'IMPORT'", new { roundId }));
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'responses.imported' AND target = 'round:' || @roundId AND details LIKE '7 response(s)%'", new { roundId }));

        var round = await BodyAsync(await client.GetAsync($"/api/v1/rounds/{roundId}"));
        Assert.Equal(8, round.GetProperty("submittedResponses").GetInt32());
    }

    [Fact]
    public async Task When_the_rounds_crime_areas_change_the_next_import_gets_a_new_template_version()
    {
        var (client, roundId) = await RoundAsync();
        var first = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import",
            """{ "responses": [ { "organisation": "ASTRA", "scores": { "DRUGS": { "SCOPE": 2 } } } ] }""");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var refused = await ProblemAsync(await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import",
            """{ "responses": [ { "organisation": "ASTRA", "scores": { "FIREARMS": { "SCOPE": 2 } } } ] }"""), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["responses[0].scores.FIREARMS"], ErrorFields(refused));

        await using (var conn = app.Connection())
            await Dapper.SqlMapper.ExecuteAsync(conn, "INSERT INTO round_crime_areas (round_id, crime_area_code) VALUES (@roundId, 'FIREARMS')", new { roundId });
        var second = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import",
            """{ "responses": [ { "organisation": "ASTRA", "scores": { "FIREARMS": { "SCOPE": 2 } } } ] }""");
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.NotEqual((await BodyAsync(first)).GetProperty("questionnaireVersionId").GetInt64(),
            (await BodyAsync(second)).GetProperty("questionnaireVersionId").GetInt64());
        Assert.Equal(2, await ScalarAsync(app, """
            SELECT COUNT(*) FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id
             WHERE q.round_id = @roundId AND q.template = 'IMPORT' AND v.status = 'Published'
            """, new { roundId }));
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM questionnaires WHERE round_id = @roundId AND template = 'IMPORT'", new { roundId }));
    }

    [Fact]
    public async Task A_retried_import_with_the_same_idempotency_key_is_stored_once()
    {
        var (client, roundId) = await RoundAsync();
        var key = Guid.NewGuid().ToString();
        Task<HttpResponseMessage> SendAsync() => ImportWithKeyAsync(client, roundId, key, Json(OneRow));
        var first = await SendAsync();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var retry = await SendAsync();
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        var (a, b) = (await BodyAsync(first), await BodyAsync(retry));
        Assert.Equal(a.GetProperty("responseIds").GetRawText(), b.GetProperty("responseIds").GetRawText());
        Assert.Equal(1, b.GetProperty("imported").GetInt32());
        Assert.Equal(1, await ResponsesInRoundAsync(roundId));
    }

    [Fact]
    public async Task A_key_that_begins_with_another_key_and_a_hash_is_its_own_import()
    {
        var (client, roundId) = await RoundAsync();
        Task<HttpResponseMessage> SendAsync(string key, string body) => ImportWithKeyAsync(client, roundId, key, Json(body));
        Assert.Equal(HttpStatusCode.Created, (await SendAsync("batch#2", OneRow)).StatusCode);

        var other = await SendAsync("batch", TwoRows);

        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.False(other.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, (await BodyAsync(other)).GetProperty("imported").GetInt32());
        Assert.Equal(3, await ResponsesInRoundAsync(roundId));
    }

    [Fact]
    public async Task Reusing_an_idempotency_key_with_a_different_body_is_refused_and_stores_nothing()
    {
        var (client, roundId) = await RoundAsync();
        var key = Guid.NewGuid().ToString();
        Task<HttpResponseMessage> SendAsync(HttpContent content) => ImportWithKeyAsync(client, roundId, key, content);
        var first = await SendAsync(Json(OneRow));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        // Other rows under the same key: refused, not answered with the first import's result (which would drop them).
        var other = await ProblemAsync(await SendAsync(Json(TwoRows)), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["Idempotency-Key"], ErrorFields(other));
        Assert.Contains("different request", other.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // Nor is a body that is not even JSON replayed as a success.
        var garbage = await SendAsync(new StringContent("not json at all", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, garbage.StatusCode);
        Assert.False(garbage.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, await ResponsesInRoundAsync(roundId));

        // The first request's exact body still replays.
        var retry = await SendAsync(Json(OneRow));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await BodyAsync(first)).GetProperty("responseIds").GetRawText(), (await BodyAsync(retry)).GetProperty("responseIds").GetRawText());
        Assert.Equal(1, await ResponsesInRoundAsync(roundId));
    }

    [Fact]
    public async Task An_import_stored_before_request_fingerprints_were_kept_still_replays_its_key()
    {
        var (client, roundId) = await RoundAsync();
        var key = Guid.NewGuid().ToString();
        Task<HttpResponseMessage> SendAsync(string body) => ImportWithKeyAsync(client, roundId, key, Json(body));
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(OneRow)).StatusCode);
        await using (var conn = app.Connection())
            await Dapper.SqlMapper.ExecuteAsync(conn, "UPDATE responses SET idempotency_fingerprint = NULL WHERE idempotency_key LIKE 'import:%' || @key || '#%'", new { key });

        var retry = await SendAsync(OneRow);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(1, await ResponsesInRoundAsync(roundId));
    }

    [Fact]
    public async Task Concurrent_imports_with_one_key_store_one_import_whatever_their_bodies()
    {
        var (client, roundId) = await RoundAsync();
        var key = Guid.NewGuid().ToString();
        Task<HttpResponseMessage> SendAsync(string body) => ImportWithKeyAsync(client, roundId, key, Json(body));

        var answers = await Task.WhenAll(SendAsync(OneRow), SendAsync(OneRow), SendAsync(TwoRows), SendAsync(TwoRows));

        // One wins (201); a same-body loser replays (200) or is told to retry (409); an other-body loser gets 422 or 409.
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        Assert.All(answers, a => Assert.Contains(a.StatusCode,
            new[] { HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.UnprocessableEntity }));
        var stored = await ResponsesInRoundAsync(roundId);
        var winner = await BodyAsync(answers.Single(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(winner.GetProperty("imported").GetInt32(), stored);
    }

    /// <summary>POSTs an import with an <c>Idempotency-Key</c> header.</summary>
    private static Task<HttpResponseMessage> ImportWithKeyAsync(HttpClient client, long roundId, string key, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/rounds/{roundId}/responses/import") { Content = content };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    private const string TwoRows = """
        { "responses": [
          { "organisation": "ASTRA", "grading": "B1", "scores": { "DRUGS": { "DAMAGE": 3 } } },
          { "organisation": "ASTRA", "grading": "B1", "scores": { "DRUGS": { "SCOPE": 2 } } } ] }
        """;

    [Fact]
    public async Task After_an_import_the_round_progress_that_reminders_follow_leaves_the_import_out()
    {
        var (client, roundId) = await RoundAsync();
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", OneRow)).StatusCode);
        var importId = await ScalarAsync(app, "SELECT id FROM questionnaires WHERE round_id = @roundId AND template = 'IMPORT'", new { roundId });
        await using var conn = app.Connection();
        // The progress the round page shows and reminders are chosen from (RoundMailer): no "not started" row for the import.
        var progress = await Consultation.Web.Rounds.RoundProgressSql.LoadAsync(conn, roundId, CancellationToken.None);
        Assert.NotEmpty(progress);
        Assert.DoesNotContain(progress, p => p.QuestionnaireId == importId);
    }

    [Fact]
    public async Task A_score_given_twice_is_refused_and_whole_numbers_written_as_decimals_are_taken()
    {
        var (client, roundId) = await RoundAsync();

        var twice = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import",
            """{ "responses": [ { "organisation": "ASTRA", "grading": "B1", "scores": { "DRUGS": { "DAMAGE": 3, "DAMAGE": 5 } } } ] }""");
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Equal("application/problem+json", twice.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0, await ResponsesInRoundAsync(roundId));

        var decimals = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import",
            """{ "responses": [ { "organisation": "ASTRA", "grading": "B1", "scores": { "DRUGS": { "DAMAGE": 3.0, "SCOPE": 4e0 } } } ] }""");
        Assert.Equal(HttpStatusCode.Created, decimals.StatusCode);
        var half = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import",
            """{ "responses": [ { "organisation": "ASTRA", "grading": "B1", "scores": { "DRUGS": { "DAMAGE": 3.5 } } } ] }""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, half.StatusCode);
        Assert.Contains("Enter a whole number from 1 to 5.", await half.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_import_questionnaire_stays_hidden_from_respondents_and_does_not_let_a_round_open()
    {
        var (client, roundId) = await RoundAsync();
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", OneRow)).StatusCode);
        var questionnaireId = await ScalarAsync(app, "SELECT id FROM questionnaires WHERE round_id = @roundId AND template = 'IMPORT'", new { roundId });

        // Only the hidden questionnaire is published: the round cannot open on it.
        var coordinator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(coordinator, "coordinator@demo.local");
        await Forms.PostAsync(coordinator, $"/Rounds/Details/{roundId}", new Dictionary<string, string>(), $"/Rounds/Details/{roundId}?handler=Open");
        Assert.Equal(0, await ScalarAsync(app, "SELECT COUNT(*) FROM rounds WHERE id = @roundId AND status <> 'Draft'", new { roundId }));

        // Even once the round is open, ASTRA's respondent neither sees nor opens it.
        await using (var conn = app.Connection())
            await Dapper.SqlMapper.ExecuteAsync(conn, "UPDATE rounds SET status = 'Open' WHERE id = @roundId", new { roundId });
        var respondent = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(respondent, "respondent@demo.local");
        var list = await respondent.GetAsync("/Respond");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.DoesNotContain(ImportApiQuestionnaireTitle, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await respondent.GetAsync($"/Respond/Form/{questionnaireId}")).StatusCode);
    }

    private const string OneRow = """{ "responses": [ { "organisation": "ASTRA", "grading": "B1", "scores": { "DRUGS": { "DAMAGE": 4 } } } ] }""";

    private const string ImportApiQuestionnaireTitle = Consultation.Web.Api.ImportApi.ImportQuestionnaireTitle;

    [Fact]
    public async Task An_import_with_several_bad_rows_is_rejected_whole_naming_every_bad_row_and_field()
    {
        var (client, roundId) = await RoundAsync();
        var response = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", """
            { "responses": [
              { "organisation": "ASTRA", "grading": "B1", "scores": { "DRUGS": { "DAMAGE": 4 } } },
              { "organisation": "Nobody Known", "grading": "B1", "scores": { "DRUGS": { "DAMAGE": 4 } } },
              { "organisation": "ASTRA", "grading": "B1", "scores": { "DRUGS": { "DAMAGE": 6, "SCOPE": 2.5, "RESOURCES": "3" } } },
              { "organisation": "ASTRA", "grading": "E7", "scores": { "THB": { "SCOPE": 3 } } },
              { "organisation": "ASTRA", "scores": { "FIREARMS": { "SCOPE": 3 }, "THB": { "SCOPE": 3, "CONFIDENCE": "SURE", "HARM": 2 } } },
              { "organisation": "Ministry of Interior", "scores": { "THB": { "SCOPE": 3 } } },
              { "organisation": "ASTRA", "scores": { "THB": { "CONFIDENCE": "LOW" } } },
              { "organisation": "ASTRA" },
              "not an object",
              { "organisation": "ASTRA", "scores": { "DRUGS": { "DAMAGE": 1 } }, "comment": "typo field" }
            ] }
            """);
        var problem = await ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(
            [
                "responses[1].organisation",
                "responses[2].scores.DRUGS.DAMAGE", "responses[2].scores.DRUGS.RESOURCES", "responses[2].scores.DRUGS.SCOPE",
                "responses[3].grading",
                "responses[4].scores.FIREARMS", "responses[4].scores.THB.CONFIDENCE", "responses[4].scores.THB.HARM",
                "responses[5].organisation",
                "responses[6].scores.THB",
                "responses[7].scores",
                "responses[8]",
                "responses[9].comment",
            ],
            ErrorFields(problem));
        Assert.Contains("not invited", problem.GetProperty("errors").GetProperty("responses[5].organisation")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await ResponsesInRoundAsync(roundId));
        Assert.Equal(0, await ScalarAsync(app, "SELECT COUNT(*) FROM questionnaires WHERE round_id = @roundId", new { roundId }));
    }

    [Fact]
    public async Task Import_needs_its_scope_a_known_round_a_body_within_the_limit_and_not_an_archived_round()
    {
        var (client, roundId) = await RoundAsync();
        var reader = Client(app, await TokenAsync(app, "evidence:read"));
        await ProblemAsync(await reader.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", WorkedExampleImport), HttpStatusCode.Forbidden);
        await ProblemAsync(await client.PostJsonAsync("/api/v1/rounds/987654/responses/import", WorkedExampleImport), HttpStatusCode.NotFound);

        var rows = string.Join(",", Enumerable.Repeat("""{ "organisation": "ASTRA", "scores": { "DRUGS": { "DAMAGE": 4 } } }""", 400));
        await ProblemAsync(await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", $$"""{ "responses": [{{rows}}] }"""),
            HttpStatusCode.RequestEntityTooLarge);
        await ProblemAsync(await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", """{ "responses": [] }"""),
            HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await ResponsesInRoundAsync(roundId));

        await using (var conn = app.Connection())
            await Dapper.SqlMapper.ExecuteAsync(conn, "UPDATE rounds SET status = 'Archived' WHERE id = @roundId", new { roundId });
        await ProblemAsync(await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", WorkedExampleImport), HttpStatusCode.Conflict);
    }
}
