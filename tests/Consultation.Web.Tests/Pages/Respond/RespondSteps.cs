using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>What a respondent's browser does, as HTTP: open the form, autosave, submit, withdraw.</summary>
public static partial class RespondSteps
{
    /// <summary>A questionnaire with one required rating, one choice and one comment: small enough to break on purpose.</summary>
    public const string SmallSchema = """
        {
          "title": "Small questionnaire",
          "pages": [
            { "name": "p1", "elements": [
              { "type": "rating", "name": "score", "isRequired": true, "rateMin": 1, "rateMax": 5 },
              { "type": "radiogroup", "name": "trend", "choices": ["UP", "DOWN"] } ] },
            { "name": "p2", "elements": [ { "type": "comment", "name": "note" } ] }
          ]
        }
        """;

    public static async Task<HttpClient> SignInAsync(PortalFactory app, string email)
    {
        var client = app.CreateBrowserLikeClient();
        var login = await Forms.LoginAsync(client, email);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return client;
    }

    /// <summary>
    /// The coordinator's part, through the coordinator's pages: a round inviting <paramref name="organisations"/>
    /// with one published questionnaire (<paramref name="schema"/>, or the five-indicator template), opened.
    /// </summary>
    public static async Task<(long RoundId, long QuestionnaireId)> OpenRoundAsync(PortalFactory app, string title, string? schema = null,
        params string[] organisations)
    {
        var coordinator = await CoordinatorAsync(app);
        var orgIds = new List<long>();
        foreach (var name in organisations.Length == 0 ? ["ASTRA"] : organisations) orgIds.Add(await OrganisationIdAsync(app, name));
        var roundId = await CreateRoundAsync(coordinator, title, orgIds);
        var q = await CreateQuestionnaireAsync(coordinator, roundId);
        var saved = await SaveQuestionnaireAsync(app, coordinator, q, publish: true, schema: schema, bindings: schema is null ? null : "[]");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await MoveAsync(coordinator, roundId, "Open")).StatusCode);
        return (roundId, q);
    }

    [GeneratedRegex("data-state=\"([^\"]*)\"")]
    private static partial Regex StateAttribute();

    public sealed record FormPage(string Html, string Token, JsonElement State);

    /// <summary>GETs the form and reads what the script would start from.</summary>
    public static async Task<FormPage> OpenFormAsync(HttpClient client, long questionnaireId)
    {
        var response = await client.GetAsync($"/Respond/Form/{questionnaireId}");
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET form returned {(int)response.StatusCode}");
        var state = JsonDocument.Parse(WebUtility.HtmlDecode(StateAttribute().Match(html).Groups[1].Value)).RootElement.Clone();
        return new FormPage(html, Forms.Token(html), state);
    }

    public static Task<HttpResponseMessage> SaveAsync(HttpClient client, long questionnaireId, string token, string dataJson, int page, long revision) =>
        PostJsonAsync(client, Consultation.Web.Pages.Respond.FormEndpoints.SaveUrl(questionnaireId), token,
            new { data = JsonDocument.Parse(dataJson).RootElement, currentPage = page, revision });

    public static Task<HttpResponseMessage> SubmitAsync(HttpClient client, long questionnaireId, string token, string dataJson, long revision, string key, int page = 0) =>
        PostJsonAsync(client, Consultation.Web.Pages.Respond.FormEndpoints.SubmitUrl(questionnaireId), token,
            new { data = JsonDocument.Parse(dataJson).RootElement, currentPage = page, revision, idempotencyKey = key });

    private static async Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string url, string token, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Add("RequestVerificationToken", token);
        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    public sealed record ResponseRow
    {
        public long Id { get; init; }
        public string Status { get; init; } = "";
        public long Revision { get; init; }
        public long CurrentPage { get; init; }
        public string DataJson { get; init; } = "";
        public long OrganisationId { get; init; }
    }

    public static async Task<IReadOnlyList<ResponseRow>> ResponsesAsync(PortalFactory app, long questionnaireId)
    {
        await using var conn = Open(app);
        return (await conn.QueryAsync<ResponseRow>("""
            SELECT rs.id, rs.status, rs.revision, rs.current_page, rs.data_json, rs.organisation_id
              FROM responses rs JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id
             WHERE v.questionnaire_id = @questionnaireId ORDER BY rs.id
            """, new { questionnaireId })).ToList();
    }

    public static async Task<IReadOnlyList<(long RevisionNo, string DataJson)>> RevisionsAsync(PortalFactory app, long responseId)
    {
        await using var conn = Open(app);
        return (await conn.QueryAsync<(long, string)>(
            "SELECT revision_no, data_json FROM response_revisions WHERE response_id = @responseId ORDER BY revision_no", new { responseId })).ToList();
    }

    public static bool SameJson(string a, string b) =>
        JsonElement.DeepEquals(JsonDocument.Parse(a).RootElement, JsonDocument.Parse(b).RootElement);
}
