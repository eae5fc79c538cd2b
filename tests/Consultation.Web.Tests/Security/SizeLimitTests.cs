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
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { data = new { note = new string('x', 70_000) }, currentPage = 1, revision = 0 }));

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/Respond/Form/{q}?handler=Save")
        {
            Content = new StreamContent(new MemoryStream(body)),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("RequestVerificationToken", form.Token);
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await ResponsesAsync(app, q));
    }

    [Fact]
    public async Task Questionnaire_json_over_its_limit_is_a_field_error_not_a_500()
    {
        var coordinator = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(coordinator, "Large questionnaire " + Guid.NewGuid().ToString("N")[..6], [await OrganisationIdAsync(app, "ASTRA")]);
        var q = await CreateQuestionnaireAsync(coordinator, roundId);
        var schema = "{ \"title\": \"big\", \"description\": \"" + new string('x', 1_000_100) + "\", \"pages\": [] }";

        var response = await SaveQuestionnaireAsync(app, coordinator, q, publish: false, schema: schema, bindings: "[]");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The questionnaire is too large.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, (await LatestVersionAsync(app, q)).Version);
    }
}
