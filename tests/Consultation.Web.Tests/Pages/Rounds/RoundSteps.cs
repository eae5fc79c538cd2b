using System.Net;
using Dapper;

namespace Consultation.Web.Tests.Pages.Rounds;

/// <summary>What a coordinator does in the browser, as form posts: create a round, add and publish a questionnaire, move the round.</summary>
public static class RoundSteps
{
    public static async Task<HttpClient> CoordinatorAsync(PortalFactory app)
    {
        var client = app.CreateBrowserLikeClient();
        var login = await Forms.LoginAsync(client, "coordinator@demo.local");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return client;
    }

    /// <summary>Like <see cref="Forms.PostAsync"/> but with repeated names (checkbox lists).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string pageUrl, IEnumerable<KeyValuePair<string, string>> fields, string? postUrl = null)
    {
        var page = await client.GetAsync(pageUrl);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET {pageUrl} returned {(int)page.StatusCode}");
        return await PostFromAsync(client, html, postUrl ?? pageUrl, fields);
    }

    /// <summary>Posts <paramref name="fields"/> from a page already read (<paramref name="html"/>): its token and carried hidden fields, as an open tab would.</summary>
    public static async Task<HttpResponseMessage> PostFromAsync(HttpClient client, string html, string postUrl, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var given = fields.ToList();
        var form = given.Append(new("__RequestVerificationToken", Forms.Token(html))).Concat(Forms.Carried(html, given.Select(f => f.Key))).ToList();
        return await client.PostAsync(postUrl, new FormUrlEncodedContent(form));
    }

    /// <summary><paramref name="fields"/> with <paramref name="name"/> set to <paramref name="value"/> alone.</summary>
    public static List<KeyValuePair<string, string>> With(this IEnumerable<KeyValuePair<string, string>> fields, string name, string value) =>
        [.. fields.Where(f => f.Key != name), new(name, value)];

    public static List<KeyValuePair<string, string>> RoundFields(string title, IEnumerable<long>? organisations = null, string? description = null,
        string opens = "2030-01-10T09:00", string closes = "2030-02-10T17:00")
    {
        var f = new List<KeyValuePair<string, string>>
        {
            new("Input.Title", title), new("Input.OpensAt", opens), new("Input.ClosesAt", closes),
            new("Input.TimeZone", "Europe/Belgrade"), new("Input.CrimeAreas", "DRUGS"), new("Input.CrimeAreas", "THB"),
            new("Input.DefaultGrading", "B2"), new("Input.MinOrganisations", "3"),
            new("Input.CategoryWeights[AGENCY]", "1.5"), new("Input.IndicatorWeights[DAMAGE]", "2"),
        };
        if (description is not null) f.Add(new("Input.DescriptionHtml", description));
        foreach (var id in organisations ?? []) f.Add(new("Input.Organisations", id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return f;
    }

    public static long IdFrom(HttpResponseMessage response, string prefix)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith(prefix, location, StringComparison.Ordinal);
        return long.Parse(location[prefix.Length..].Split('?')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<long> CreateRoundAsync(HttpClient client, string title, IEnumerable<long>? organisations = null, string? description = null) =>
        IdFrom(await PostAsync(client, "/Rounds/Create", RoundFields(title, organisations, description)), "/Rounds/Details/");

    public static async Task<long> CreateQuestionnaireAsync(HttpClient client, long roundId, string template = "FIVE_INDICATOR") =>
        IdFrom(await PostAsync(client, $"/Questionnaires/Create/{roundId}", [new("Input.Template", template)]), "/Questionnaires/Edit/");

    public sealed record VersionRow
    {
        public long Id { get; init; }
        public long Version { get; init; }
        public string Status { get; init; } = "";
        public string SchemaJson { get; init; } = "";
        public string BindingsJson { get; init; } = "";
    }

    public static async Task<VersionRow> LatestVersionAsync(PortalFactory app, long questionnaireId)
    {
        await using var conn = Open(app);
        return await conn.QuerySingleAsync<VersionRow>(
            "SELECT id, version, status, schema_json, bindings_json FROM questionnaire_versions WHERE questionnaire_id = @questionnaireId ORDER BY version DESC LIMIT 1",
            new { questionnaireId });
    }

    /// <summary>Posts the editor form with <paramref name="schema"/> (default: the latest version's text).</summary>
    public static async Task<HttpResponseMessage> SaveQuestionnaireAsync(PortalFactory app, HttpClient client, long id, bool publish,
        string? schema = null, string? bindings = null, long? baseVersion = null)
    {
        var latest = await LatestVersionAsync(app, id);
        return await PostAsync(client, $"/Questionnaires/Edit/{id}",
        [
            new("Input.SchemaJson", schema ?? latest.SchemaJson), new("Input.BindingsJson", bindings ?? latest.BindingsJson),
            new("Input.BaseVersion", (baseVersion ?? latest.Version).ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], publish ? $"/Questionnaires/Edit/{id}?handler=Publish" : null);
    }

    public static Task<HttpResponseMessage> MoveAsync(HttpClient client, long roundId, string handler) =>
        PostAsync(client, $"/Rounds/Details/{roundId}", [], $"/Rounds/Details/{roundId}?handler={handler}");

    public static System.Data.Common.DbConnection Open(PortalFactory app) => app.Connection();

    public static async Task<string> StatusAsync(PortalFactory app, long roundId)
    {
        await using var conn = Open(app);
        return await conn.ExecuteScalarAsync<string>("SELECT status FROM rounds WHERE id = @roundId", new { roundId }) ?? "";
    }

    public static async Task<long> OrganisationIdAsync(PortalFactory app, string name)
    {
        await using var conn = Open(app);
        return await conn.ExecuteScalarAsync<long>("SELECT id FROM organisations WHERE name = @name", new { name });
    }

    /// <summary>A round ready to open: one invited organisation and a published five-indicator questionnaire.</summary>
    public static async Task<long> ReadyRoundAsync(PortalFactory app, HttpClient client, string title)
    {
        var astra = await OrganisationIdAsync(app, "ASTRA");
        var roundId = await CreateRoundAsync(client, title, [astra]);
        var q = await CreateQuestionnaireAsync(client, roundId);
        Assert.Equal(HttpStatusCode.Redirect, (await SaveQuestionnaireAsync(app, client, q, publish: true)).StatusCode);
        return roundId;
    }
}
