using System.Globalization;
using System.Net;

namespace Consultation.Browser.Tests.Infrastructure;

/// <summary>
/// What a test needs to exist before the browser opens, made through the portal's own forms over plain HTTP
/// (fast, and still the real validation): a coordinator's round and questionnaire.
/// </summary>
public sealed class CoordinatorSetup(HttpClient client)
{
    public static async Task<CoordinatorSetup> SignInAsync(BrowserPortalFactory app)
    {
        // A plain client over the real socket: the factory's own client follows redirects whatever its options say once Kestrel serves.
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.BaseUrl,
        };
        var login = await Forms.LoginAsync(client, "coordinator@demo.local");
        Assert.True(login.StatusCode == HttpStatusCode.Redirect,
            $"Signing in returned {(int)login.StatusCode}: " + System.Text.RegularExpressions.Regex.Match(await login.Content.ReadAsStringAsync(), "(?s)<main.*?</main>").Value);
        return new CoordinatorSetup(client);
    }

    private async Task<HttpResponseMessage> PostAsync(string pageUrl, IEnumerable<KeyValuePair<string, string>> fields, string? postUrl = null)
    {
        var page = await client.GetAsync(pageUrl);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"GET {pageUrl} returned {(int)page.StatusCode}");
        return await client.PostAsync(postUrl ?? pageUrl, new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", Forms.Token(html)))));
    }

    private static long IdFrom(HttpResponseMessage response, string prefix)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect to {prefix}…, got {(int)response.StatusCode}");
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith(prefix, location, StringComparison.Ordinal);
        return long.Parse(location[prefix.Length..].Split('?')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>A draft round on <paramref name="crimeAreas"/>, inviting <paramref name="organisationIds"/>; its closing time is 2030-02-10 17:00 Belgrade.</summary>
    public async Task<long> CreateRoundAsync(string title, IEnumerable<string> crimeAreas, IEnumerable<long>? organisationIds = null)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Input.Title", title), new("Input.OpensAt", "2030-01-10T09:00"), new("Input.ClosesAt", "2030-02-10T17:00"),
            new("Input.TimeZone", "Europe/Belgrade"), new("Input.DefaultGrading", "B2"), new("Input.MinOrganisations", "3"),
        };
        fields.AddRange(crimeAreas.Select(a => new KeyValuePair<string, string>("Input.CrimeAreas", a)));
        fields.AddRange((organisationIds ?? []).Select(o => new KeyValuePair<string, string>("Input.Organisations", o.ToString(CultureInfo.InvariantCulture))));
        return IdFrom(await PostAsync("/Rounds/Create", fields), "/Rounds/Details/");
    }

    public async Task<long> CreateQuestionnaireAsync(long roundId, string template = "FIVE_INDICATOR") =>
        IdFrom(await PostAsync($"/Questionnaires/Create/{roundId}", [new("Input.Template", template)]), "/Questionnaires/Edit/");

    /// <summary>Publishes the questionnaire's draft as generated (the editor's form posted unchanged).</summary>
    public async Task PublishAsync(long questionnaireId, string schemaJson, string bindingsJson, long baseVersion)
    {
        var response = await PostAsync($"/Questionnaires/Edit/{questionnaireId}",
            [new("Input.SchemaJson", schemaJson), new("Input.BindingsJson", bindingsJson), new("Input.BaseVersion", baseVersion.ToString(CultureInfo.InvariantCulture))],
            $"/Questionnaires/Edit/{questionnaireId}?handler=Publish");
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Publishing questionnaire {questionnaireId} returned {(int)response.StatusCode}");
    }

    /// <summary>Saves <paramref name="schemaJson"/> as the questionnaire's draft, the way another coordinator's editor would.</summary>
    public async Task SaveDraftAsync(long questionnaireId, string schemaJson, string bindingsJson, long baseVersion)
    {
        var response = await PostAsync($"/Questionnaires/Edit/{questionnaireId}",
            [new("Input.SchemaJson", schemaJson), new("Input.BindingsJson", bindingsJson), new("Input.BaseVersion", baseVersion.ToString(CultureInfo.InvariantCulture))]);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Saving questionnaire {questionnaireId} returned {(int)response.StatusCode}");
    }

    public async Task OpenRoundAsync(long roundId)
    {
        var response = await PostAsync($"/Rounds/Details/{roundId}", [], $"/Rounds/Details/{roundId}?handler=Open");
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Opening round {roundId} returned {(int)response.StatusCode}");
    }

    public async Task CloseRoundAsync(long roundId)
    {
        var response = await PostAsync($"/Rounds/Details/{roundId}", [], $"/Rounds/Details/{roundId}?handler=Close");
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Closing round {roundId} returned {(int)response.StatusCode}");
    }
}
