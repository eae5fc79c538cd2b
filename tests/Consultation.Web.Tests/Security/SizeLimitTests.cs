using System.Net;
using System.Text;
using System.Text.Json;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Security;

/// <summary>
/// What people send is size-limited where it is stored: a respondent's autosave and submission (413 problem+json
/// the form shows), a questionnaire's JSON (a field error), never a 500. The API's JSON bodies have their own
/// tests (ImportApiTests: 413).
/// </summary>
public sealed class SizeLimitTests(SizeLimitTests.Portal app) : IClassFixture<SizeLimitTests.Portal>
{
    public sealed class Portal : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Rounds:MaxAnswerBytes", "65536")];
    }

    private static string NoteOf(int characters) => JsonSerializer.Serialize(new { note = new string('x', characters) });

    [Fact]
    public async Task Autosave_and_submission_over_the_limit_get_413_problem_json_and_nothing_is_stored()
    {
        var (_, q) = await OpenRoundAsync(app, "Size limits " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);

        var save = await SaveAsync(client, q, form.Token, NoteOf(70_000), 1, 0);
        var submit = await SubmitAsync(client, q, form.Token, NoteOf(70_000), 0, Guid.NewGuid().ToString());

        foreach (var response in new[] { save, submit })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await JsonAsync(response);
            Assert.Equal("request.too_large", problem.GetProperty("code").GetString());
            Assert.Contains("at most 64 KB", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        }
        Assert.Empty(await ResponsesAsync(app, q));
        // Under the limit the same save goes through.
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, NoteOf(60_000), 1, 0)).StatusCode);
    }

    [Fact]
    public async Task A_chunked_autosave_without_a_length_is_cut_off_at_the_limit_too()
    {
        var (_, q) = await OpenRoundAsync(app, "Chunked " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);

        var response = await ChunkedSaveAsync(client, q, form.Token, new string('x', 70_000));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await ResponsesAsync(app, q));

        // Under the limit the same chunked save is read in full and stored (the buffer grows past its first 16 KB).
        Assert.Equal(HttpStatusCode.OK, (await ChunkedSaveAsync(client, q, form.Token, new string('y', 60_000))).StatusCode);
        Assert.Equal(60_000 + """{"note":""}""".Length, Assert.Single(await ResponsesAsync(app, q)).DataJson.Length);
    }

    /// <summary>A first autosave of one note, sent chunked (no Content-Length).</summary>
    private static async Task<HttpResponseMessage> ChunkedSaveAsync(HttpClient client, long q, string token, string note)
    {
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { data = new { note }, currentPage = 1, revision = 0 }));
        using var request = new HttpRequestMessage(HttpMethod.Post, Consultation.Web.Pages.Respond.FormEndpoints.SaveUrl(q))
        {
            Content = new StreamContent(new MemoryStream(body)),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("RequestVerificationToken", token);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Questionnaire_json_over_its_limit_is_a_field_error_not_a_500()
    {
        var coordinator = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(coordinator, "Large questionnaire " + Guid.NewGuid().ToString("N")[..6], [await OrganisationIdAsync(app, "ASTRA")]);
        var q = await CreateQuestionnaireAsync(coordinator, roundId);
        var schema = "{ \"title\": \"big\", \"description\": \"" + new string('x', 1_000_100) + "\", \"pages\": [ { \"name\": \"p1\", \"elements\": [ { \"type\": \"comment\", \"name\": \"note\" } ] } ] }";

        var response = await SaveQuestionnaireAsync(app, coordinator, q, publish: false, schema: schema, bindings: "[]");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The questionnaire is too large.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await LatestVersionAsync(app, q)).Version);
    }

    private static string SchemaWithDescription(string description) =>
        "{ \"title\": \"big\", \"description\": \"" + description + "\", \"pages\": [ { \"name\": \"p1\", \"elements\": [ { \"type\": \"comment\", \"name\": \"note\" } ] } ] }";

    /// <summary>
    /// Over ASP.NET Core's form reader default (4 MiB a value) the request used to fail inside the reader with a 500
    /// (SECURITY.md). The editor admits values its field limit can judge: a field error, and the text stays in the editor.
    /// </summary>
    [Fact]
    public async Task Questionnaire_value_over_four_mebibytes_is_a_field_error_and_the_text_stays_in_the_editor()
    {
        var coordinator = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(coordinator, "Huge questionnaire " + Guid.NewGuid().ToString("N")[..6], [await OrganisationIdAsync(app, "ASTRA")]);
        var q = await CreateQuestionnaireAsync(coordinator, roundId);
        var marker = "END-OF-THE-AUTHORS-TEXT";
        var schema = SchemaWithDescription(new string('x', 4_500_000) + marker);

        var response = await SaveQuestionnaireAsync(app, coordinator, q, publish: false, schema: schema, bindings: "[]");
        var html = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {html[..Math.Min(300, html.Length)]}");
        Assert.Contains("The questionnaire is too large.", html, StringComparison.Ordinal);
        Assert.Contains(new string('x', 1000) + marker, html, StringComparison.Ordinal);
        Assert.Equal(1, (await LatestVersionAsync(app, q)).Version);
        Assert.DoesNotContain("big", (await LatestVersionAsync(app, q)).SchemaJson, StringComparison.Ordinal);
    }

    /// <summary>Under the character limit but over 4 MiB once form-encoded (Cyrillic is 6 bytes a letter): saved like any other.</summary>
    [Fact]
    public async Task Questionnaire_in_cyrillic_under_the_character_limit_is_saved_even_when_its_form_encoding_is_over_four_mebibytes()
    {
        var coordinator = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(coordinator, "Cyrillic questionnaire " + Guid.NewGuid().ToString("N")[..6], [await OrganisationIdAsync(app, "ASTRA")]);
        var q = await CreateQuestionnaireAsync(coordinator, roundId);
        var description = new string('Ж', 800_000);
        Assert.True(Encoding.UTF8.GetByteCount(Uri.EscapeDataString(description)) > 4 * 1024 * 1024);

        var response = await SaveQuestionnaireAsync(app, coordinator, q, publish: false, schema: SchemaWithDescription(description), bindings: "[]");

        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{(int)response.StatusCode}: " + string.Join(" | ",
            System.Text.RegularExpressions.Regex.Matches(await response.Content.ReadAsStringAsync(), "<li>([^<]{0,300})</li>").Select(m => m.Groups[1].Value)));
        var saved = JsonDocument.Parse((await LatestVersionAsync(app, q)).SchemaJson).RootElement;
        Assert.Equal(description, saved.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Questionnaire_value_beyond_what_the_server_reads_is_413_with_a_readable_page_or_problem_json_never_500()
    {
        var coordinator = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(coordinator, "Enormous questionnaire " + Guid.NewGuid().ToString("N")[..6], [await OrganisationIdAsync(app, "ASTRA")]);
        var q = await CreateQuestionnaireAsync(coordinator, roundId);
        var schema = SchemaWithDescription(new string('x', 11 * 1024 * 1024));

        var response = await SaveQuestionnaireAsync(app, coordinator, q, publish: false, schema: schema, bindings: "[]");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Too large, not saved", html, StringComparison.Ordinal);
        Assert.Contains("your browser usually still shows your text in the form", html, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidDataException", html, StringComparison.Ordinal);
        Assert.Equal(1, (await LatestVersionAsync(app, q)).Version);

        // A script asking for JSON gets problem+json.
        var page = await coordinator.GetStringAsync($"/Questionnaires/Edit/{q}");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/Questionnaires/Edit/{q}")
        {
            Content = new FormUrlEncodedContent([new("Input.SchemaJson", schema), new("__RequestVerificationToken", Forms.Token(page))]),
        };
        request.Headers.Accept.ParseAdd("application/json");
        var json = await coordinator.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Too large, not saved", JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());
    }

    /// <summary>Every other form keeps the reader's defaults; over them it is the same 413 (400 when malformed), never a 500.</summary>
    [Fact]
    public async Task Any_form_over_the_readers_limits_is_413_and_a_malformed_one_400_never_500()
    {
        var coordinator = await CoordinatorAsync(app);
        var tooLong = await Forms.PostAsync(coordinator, "/Organisations/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = new string('n', 4 * 1024 * 1024 + 10), ["Input.Category"] = "NGO",
        });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        Assert.Contains("Too large, not saved", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var manyFields = Enumerable.Range(0, 1100).ToDictionary(i => $"f{i}", i => "x");
        manyFields["Input.Name"] = "Many Fields Foundation";
        var tooMany = await Forms.PostAsync(coordinator, "/Organisations/Create", manyFields);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);

        // Anonymous too: the sign-in form, before any account is involved.
        using var anonymous = app.CreateBrowserLikeClient();
        var signIn = await Forms.PostAsync(anonymous, "/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = "someone@example.org", ["Input.Password"] = new string('p', 5 * 1024 * 1024),
        });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, signIn.StatusCode);

        var page = await coordinator.GetStringAsync("/Organisations/Create");
        using var broken = new HttpRequestMessage(HttpMethod.Post, "/Organisations/Create")
        {
            Content = new StringContent("--x\r\nContent-Disposition: form-data; name=\"Input.Name\"\r\n\r\nA", Encoding.UTF8),
        };
        broken.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data");
        broken.Headers.Add("RequestVerificationToken", Forms.Token(page));
        var malformed = await coordinator.SendAsync(broken);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        await using var conn = app.Connection();
        Assert.Equal(0L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn,
            "SELECT COUNT(*) FROM organisations WHERE name LIKE 'nnnn%' OR name = 'Many Fields Foundation'"));
    }
}
