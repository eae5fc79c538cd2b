using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.Security;

/// <summary>
/// Stored XSS through every text people type that the portal shows back to someone else: round title and
/// rich-text description, organisation names, questionnaire titles and every SurveyJS text (titles,
/// descriptions, choices, placeholders, the html question, completedHtml), a respondent's free-text answers
/// as the coordinator reads them, user display names, and a workshop's titles, participant names and PESTLE
/// factors on the phone, the control page and the projector. Each page is rendered in Chromium and must show
/// the text as text: no payload runs (no dialog, no <c>window.__xss</c>), the CSP reports nothing, and the DOM
/// holds no event-handler attribute, <c>javascript:</c> URL, inline script or frame.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class InjectionCorpusTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    /// <summary>Each payload, if it ran, sets <c>window.__xss</c> or opens a dialog.</summary>
    private static readonly string[] Corpus =
    [
        "<script>window.__xss=1</script>",
        "<img src=x onerror=window.__xss=2>",
        "<svg onload=window.__xss=3>",
        "\"><script>window.__xss=4</script>",
        "'><img src=x onerror=alert(5)>",
        "<a href=\"javascript:window.__xss=6\">j6</a>",
        "{{constructor.constructor('alert(7)')()}}",
        "</script><script>alert(8)</script>",
        "<img src=x onerror=alert(9)//",
        "<details open ontoggle=alert(10)>",
        "<iframe srcdoc=\"<script>parent.__xss=11</script>\">",
        "${alert(12)}",
        "\" autofocus onfocus=\"alert(13)",
        "<style>@import 'javascript:alert(14)'</style>",
        "--><svg/onload=alert(15)><!--",
    ];

    /// <summary>Only rich text gets these: markup its sanitizer keeps, with dangerous attributes it must drop.</summary>
    private const string RichTextExtras =
        "<p style=\"background:url(javascript:alert(20))\">s</p><a href=\"javascript:alert(21)\">j</a>" +
        "<form action=\"javascript:alert(22)\"><button>b</button></form><math><mi xlink:href=\"javascript:alert(23)\">m</mi></math>" +
        "<a href=\"data:text/html,<script>alert(24)</script>\">d</a><object data=\"javascript:alert(25)\"></object>";

    private static string All(string marker) => marker + " " + string.Join(" ", Corpus);

    /// <summary>A marker, then as many payloads as fit in <paramref name="max"/> characters, starting at payload <paramref name="from"/>.</summary>
    private static string Fit(string marker, int max, int from = 0)
    {
        var text = marker;
        for (var i = 0; i < Corpus.Length; i++)
        {
            var next = text + " " + Corpus[(from + i) % Corpus.Length];
            if (next.Length > max) continue;
            text = next;
        }
        return text;
    }

    /// <summary>
    /// Runs before any page script: counts CSP violations. A payload that ran sets <c>window.__xss</c>;
    /// <c>alert</c> shows up as a dialog.
    /// </summary>
    private const string Watch = """
        window.__xss = 0;
        window.__csp = [];
        document.addEventListener("securitypolicyviolation",
          e => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} ${e.sample || ""}`), true);
        """;

    /// <summary>What is dangerous in the rendered DOM whether or not the CSP stopped it.</summary>
    private const string Inspect = """
        () => {
          const bad = [];
          const urlAttrs = ["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"];
          for (const el of document.querySelectorAll("*")) {
            for (const a of el.attributes) {
              if (/^on/i.test(a.name)) bad.push(`<${el.localName} ${a.name}="${a.value}">`);
              if (urlAttrs.includes(a.name.toLowerCase()) && /^\s*(javascript|vbscript|data:text\/html)/i.test(a.value))
                bad.push(`<${el.localName} ${a.name}="${a.value}">`);
            }
            if (el.localName === "script" && !el.src && el.type !== "application/json") bad.push(`inline <script>${el.textContent.slice(0, 60)}`);
            if (["iframe", "frame", "object", "embed", "base"].includes(el.localName)) bad.push(`<${el.localName}>`);
          }
          return { xss: window.__xss, csp: window.__csp, bad, text: document.body.innerText };
        }
        """;

    private sealed record Seen
    {
        public double Xss { get; init; }
        public string[] Csp { get; init; } = [];
        public string[] Bad { get; init; } = [];
        public string Text { get; init; } = "";
    }

    private sealed class Watched(IPage page)
    {
        public IPage Page => page;
        public List<string> Dialogs { get; } = [];
    }

    private static async Task<Watched> WatchAsync(BrowserTest test, string person, ViewportSize? viewport = null)
    {
        var page = await test.NewPersonAsync(person, viewport);
        await page.Context.AddInitScriptAsync(Watch);
        var watched = new Watched(page);
        page.Dialog += async (_, dialog) =>
        {
            lock (watched.Dialogs) watched.Dialogs.Add($"{dialog.Type}: {dialog.Message} on {page.Url}");
            await dialog.DismissAsync();
        };
        return watched;
    }

    /// <summary>Opens <paramref name="url"/> (unless null: the page as it is) and asserts that nothing ran and the markers show as text.</summary>
    private static async Task CheckAsync(Watched who, string? url, params string[] markers)
    {
        var page = who.Page;
        // "load" waits for images too, so an injected <img onerror> would have fired; live pages render the markers later.
        if (url is not null) await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.Load });
        foreach (var marker in markers) await Expect(page.Locator("body")).ToContainTextAsync(marker);
        var seen = await page.EvaluateAsync<Seen>(Inspect);
        var where = url ?? page.Url;
        Assert.True(seen.Xss == 0, $"{where}: a payload ran (window.__xss = {seen.Xss})");
        Assert.True(seen.Csp.Length == 0, $"{where}: CSP violations: {string.Join(" | ", seen.Csp)}");
        Assert.True(seen.Bad.Length == 0, $"{where}: dangerous markup in the DOM: {string.Join(" | ", seen.Bad)}");
        lock (who.Dialogs) Assert.True(who.Dialogs.Count == 0, $"dialogs opened: {string.Join(" | ", who.Dialogs)}");
        foreach (var marker in markers)
            Assert.True(seen.Text.Contains(marker, StringComparison.Ordinal), $"{where}: '{marker}' is not shown as text");
    }

    [Fact]
    public async Task Xss_payloads_in_every_text_field_shown_back_stay_text_in_chromium()
    {
        var seed = await SeedAsync();
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            // The respondent answers in SurveyJS: every questionnaire text must render as text, the html question sanitized.
            var respondent = await WatchAsync(test, "respondent");
            await (await LoginPage.OpenAsync(respondent.Page)).SignInAsync("respondent@demo.local");
            await CheckAsync(respondent, "/", "XSS-NAME");
            await CheckAsync(respondent, "/Respond", "XSS-ROUND", "XSS-QTITLE");
            await CheckAsync(respondent, "/Account/Manage");
            await respondent.Page.GotoAsync($"/Respond/Form/{seed.QuestionnaireId}");
            var form = new RespondFormPage(respondent.Page);
            await Expect(form.Survey).ToBeVisibleAsync();
            await Expect(respondent.Page.GetByText("XSS-HTMLQ")).ToBeVisibleAsync();
            await respondent.Page.GetByLabel(new Regex("^XSS-TEXTQ")).FillAsync(All("XSS-ANSWER"));
            await respondent.Page.GetByLabel(new Regex("^XSS-COMMENTQ")).FillAsync(All("XSS-COMMENT") + "\n" + RichTextExtras);
            await respondent.Page.Locator("#respond-app").GetByRole(AriaRole.Radio, new() { NameRegex = new Regex("^XSS-CHOICE ") }).CheckAsync(new() { Force = true });
            await form.ExpectSavedAsync();
            await CheckAsync(respondent, null, "XSS-SURVEY", "XSS-PAGE", "XSS-TEXTQ", "XSS-DESC-Q", "XSS-CHOICEQ", "XSS-CHOICE", "XSS-HTMLQ", "XSS-MATRIX");
            await test.ScreenshotAsync(respondent.Page, "1-respondent-form");
            // Coordinators read submitted answers only.
            await form.SubmitFromLastPageAsync();
            await Expect(form.Confirmation).ToBeVisibleAsync();
            var responseId = await ResponseIdAsync(seed.QuestionnaireId);

            var coordinator = await WatchAsync(test, "coordinator");
            await (await LoginPage.OpenAsync(coordinator.Page)).SignInAsync("coordinator@demo.local");
            await CheckAsync(coordinator, "/");
            await CheckAsync(coordinator, "/Rounds", "XSS-ROUND");
            await CheckAsync(coordinator, $"/Rounds/Details/{seed.RoundId}", "XSS-ROUND", "XSS-DESC", "XSS-ORG-A", "XSS-ORG-B", "XSS-QTITLE");
            await test.ScreenshotAsync(coordinator.Page, "2-round");
            await CheckAsync(coordinator, $"/Rounds/Edit/{seed.RoundId}");
            await CheckAsync(coordinator, $"/Rounds/{seed.RoundId}/Responses", "XSS-ORG-B", "XSS-NAME");
            await CheckAsync(coordinator, $"/Rounds/Responses/{responseId}", "XSS-ANSWER", "XSS-COMMENT", "XSS-CHOICE", "XSS-NAME", "XSS-ORG-B", "XSS-TEXTQ");
            await test.ScreenshotAsync(coordinator.Page, "3-response");
            await CheckAsync(coordinator, "/Organisations", "XSS-ORG-A", "XSS-ORG-B");
            await CheckAsync(coordinator, $"/Organisations/Details/{seed.OrganisationA}", "XSS-ORG-A");
            await CheckAsync(coordinator, $"/Organisations/Details/{seed.OrganisationB}", "XSS-ORG-B", "XSS-NAME");
            await CheckAsync(coordinator, $"/Organisations/Edit/{seed.OrganisationA}");
            await coordinator.Page.GotoAsync($"/Questionnaires/Edit/{seed.QuestionnaireId}");
            await Expect(new QuestionnaireEditorPage(coordinator.Page).Preview.GetByText("XSS-HTMLQ")).ToBeVisibleAsync();
            await CheckAsync(coordinator, null, "XSS-QTITLE", "XSS-TEXTQ", "XSS-CHOICE");
            await CheckAsync(coordinator, $"/Evidence/Index/{seed.RoundId}", "XSS-ROUND");

            var admin = await WatchAsync(test, "admin");
            await (await LoginPage.OpenAsync(admin.Page)).SignInAsync("admin@demo.local");
            await CheckAsync(admin, "/Admin/Users", "XSS-NAME", "XSS-ORG-B");
            await CheckAsync(admin, "/Admin/Audit");

            // A live workshop: titles from the facilitator, a participant's name and PESTLE factor, on every screen.
            var facilitator = await WatchAsync(test, "facilitator");
            await (await LoginPage.OpenAsync(facilitator.Page)).SignInAsync("facilitator@demo.local");
            await facilitator.Page.GotoAsync("/Workshops/Create");
            await facilitator.Page.GetByLabel("Round").SelectOptionAsync(new SelectOptionValue { Value = seed.RoundId.ToString(CultureInfo.InvariantCulture) });
            await facilitator.Page.GetByLabel("Title", new() { Exact = true }).FillAsync(Fit("XSS-WORKSHOP", 200));
            await facilitator.Page.GetByLabel("Title shown to the room (optional)").First.FillAsync(Fit("XSS-EXERCISE", 200, 3));
            await facilitator.Page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            var control = new WorkshopControlPage(facilitator.Page);
            await Expect(control.JoinCode).ToBeVisibleAsync();
            var code = (await control.JoinCode.InnerTextAsync()).Trim();
            await control.ClickAsync("Start the first exercise");
            var screen = new Watched(await facilitator.Page.Context.NewPageAsync());
            screen.Page.Dialog += async (_, dialog) => { lock (screen.Dialogs) screen.Dialogs.Add(dialog.Message); await dialog.DismissAsync(); };
            await screen.Page.GotoAsync(facilitator.Page.Url.Replace("/Control/", "/Screen/", StringComparison.Ordinal));
            await Expect(new WorkshopScreenPage(screen.Page).Exercise).ToContainTextAsync("Collecting factors");

            var participant = await WatchAsync(test, "participant", BrowserTest.Phone);
            var join = await JoinPage.JoinAsync(participant.Page, code, "XSS-PART <img src=x onerror=alert(30)>", "NGO");
            await join.AddFactorAsync("Political", Fit("XSS-FACTOR", 200, 1));
            await CheckAsync(participant, null, "XSS-FACTOR", "XSS-EXERCISE");
            await Expect(new WorkshopScreenPage(screen.Page).Factors).ToHaveCountAsync(1);
            await CheckAsync(screen, null, "XSS-FACTOR", "XSS-EXERCISE", "XSS-WORKSHOP");
            await test.ScreenshotAsync(screen.Page, "4-screen");
            await Expect(control.Factors).ToHaveCountAsync(1);
            await CheckAsync(facilitator, null, "XSS-FACTOR", "XSS-WORKSHOP");
            await CheckAsync(facilitator, "/Workshops", "XSS-WORKSHOP");
            await participant.Page.ReloadAsync();
            await CheckAsync(participant, null, "XSS-FACTOR", "XSS-EXERCISE");
            await CheckAsync(screen, screen.Page.Url, "XSS-FACTOR", "XSS-EXERCISE");

            test.AssertNoBrowserErrors();
        });
    }

    private sealed record Seeded(long RoundId, long OrganisationA, long OrganisationB, long QuestionnaireId);

    private async Task<long> ResponseIdAsync(long questionnaireId)
    {
        await using var conn = new SqliteConnection($"Data Source={app.DatabasePath}");
        return await conn.ExecuteScalarAsync<long>("""
            SELECT s.id FROM responses s JOIN questionnaire_versions v ON v.id = s.questionnaire_version_id
             WHERE v.questionnaire_id = @questionnaireId ORDER BY s.id DESC LIMIT 1
            """, new { questionnaireId });
    }

    /// <summary>Everything the payloads travel through, made through the portal's own forms over plain HTTP (the real validation and sanitizer).</summary>
    private async Task<Seeded> SeedAsync()
    {
        var coordinator = await SignedInClientAsync("coordinator@demo.local");
        var orgA = IdFrom(await PostFormAsync(coordinator, "/Organisations/Create", [new("Input.Name", Fit("XSS-ORG-A", 200)), new("Input.Category", "NGO")]),
            "/Organisations/Details/");
        long orgB;
        await using (var conn = new SqliteConnection($"Data Source={app.DatabasePath}"))
            orgB = await conn.ExecuteScalarAsync<long>("SELECT organisation_id FROM users WHERE email = 'respondent@demo.local'");
        // The respondent's own organisation gets a payload name too: it shows on their responses.
        var renamed = await PostFormAsync(coordinator, $"/Organisations/Edit/{orgB}", [new("Input.Name", Fit("XSS-ORG-B", 200, 2)), new("Input.Category", "NGO")]);
        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);

        var roundId = IdFrom(await PostFormAsync(coordinator, "/Rounds/Create",
        [
            new("Input.Title", Fit("XSS-ROUND", 200)), new("Input.DescriptionHtml", "<p>XSS-DESC</p>" + All("") + RichTextExtras),
            new("Input.OpensAt", "2026-01-10T09:00"), new("Input.ClosesAt", "2099-02-10T17:00"), new("Input.TimeZone", "Europe/Belgrade"),
            new("Input.DefaultGrading", "B2"), new("Input.MinOrganisations", "1"), new("Input.CrimeAreas", "DRUGS"),
            new("Input.Organisations", orgA.ToString(CultureInfo.InvariantCulture)), new("Input.Organisations", orgB.ToString(CultureInfo.InvariantCulture)),
        ]), "/Rounds/Details/");

        var questionnaireId = IdFrom(await PostFormAsync(coordinator, $"/Questionnaires/Create/{roundId}",
            [new("Input.Template", "FIVE_INDICATOR"), new("Input.Title", Fit("XSS-QTITLE", 200, 4))]), "/Questionnaires/Edit/");
        var editor = await coordinator.GetStringAsync($"/Questionnaires/Edit/{questionnaireId}");
        var schema = WithPayloads(Textarea(editor, "Input.SchemaJson"));
        var published = await PostFormAsync(coordinator, $"/Questionnaires/Edit/{questionnaireId}",
        [
            new("Input.SchemaJson", schema), new("Input.BindingsJson", Textarea(editor, "Input.BindingsJson")),
            new("Input.BaseVersion", BaseVersion().Match(editor).Groups[1].Value),
        ], $"/Questionnaires/Edit/{questionnaireId}?handler=Publish");
        Assert.True(published.StatusCode == HttpStatusCode.Redirect,
            $"Publishing returned {(int)published.StatusCode}: " + Regex.Match(await published.Content.ReadAsStringAsync(), "(?s)<main.*?</main>").Value);
        var opened = await PostFormAsync(coordinator, $"/Rounds/Details/{roundId}", [], $"/Rounds/Details/{roundId}?handler=Open");
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);

        var respondent = await SignedInClientAsync("respondent@demo.local");
        var named = await PostFormAsync(respondent, "/Account/Manage", [new("Input.DisplayName", Fit("XSS-NAME", 200, 5))]);
        Assert.Equal(HttpStatusCode.Redirect, named.StatusCode);
        return new Seeded(roundId, orgA, orgB, questionnaireId);
    }

    /// <summary>
    /// Every text of the generated five-indicator questionnaire gets payloads appended (names, values and bindings
    /// stay), and the first page gains a text, a comment, a choice and an html question made of payloads.
    /// </summary>
    private static string WithPayloads(string schemaJson)
    {
        var root = JsonNode.Parse(schemaJson)!.AsObject();
        root["title"] = All("XSS-SURVEY");
        root["description"] = All("XSS-SURVEY-DESC");
        root["completedHtml"] = All("XSS-COMPLETED") + RichTextExtras;
        var pages = root["pages"]!.AsArray();
        foreach (var page in pages)
        {
            page!["title"] = Append(page["title"], All("XSS-PAGE"));
            foreach (var element in page["elements"]!.AsArray())
            {
                element!["title"] = Append(element["title"], All("XSS-Q"));
                element["description"] = All("XSS-DESC-Q");
                if (element["rows"] is JsonArray rows)
                    foreach (var row in rows)
                        if (row is JsonObject r && r["text"] is not null) r["text"] = Append(r["text"], "XSS-MATRIX " + Corpus[1]);
            }
        }
        var first = pages[0]!["elements"]!.AsArray();
        first.Insert(0, new JsonObject
        {
            ["type"] = "html", ["name"] = "xss_html", ["html"] = "<p>XSS-HTMLQ</p>" + All("") + RichTextExtras,
        });
        first.Add(new JsonObject { ["type"] = "text", ["name"] = "xss_text", ["title"] = All("XSS-TEXTQ"), ["placeholder"] = All("XSS-PLACEHOLDER") });
        first.Add(new JsonObject { ["type"] = "comment", ["name"] = "xss_comment", ["title"] = All("XSS-COMMENTQ") });
        var choices = new JsonArray(new JsonObject { ["value"] = "first", ["text"] = All("XSS-CHOICE") });
        for (var i = 0; i < Corpus.Length; i++) choices.Add(new JsonObject { ["value"] = $"c{i}", ["text"] = Corpus[i] });
        first.Add(new JsonObject { ["type"] = "radiogroup", ["name"] = "xss_choice", ["title"] = All("XSS-CHOICEQ"), ["choices"] = choices });
        return root.ToJsonString();
    }

    /// <summary>Appends to a SurveyJS text, plain or localized (<c>{"default": …, "sr": …}</c>): every language gets the payloads.</summary>
    private static JsonNode Append(JsonNode? text, string suffix)
    {
        if (text is JsonObject localized)
        {
            var copy = new JsonObject();
            foreach (var (locale, value) in localized) copy[locale] = (value?.GetValue<string>() ?? "") + " " + suffix;
            return copy;
        }
        return JsonValue.Create((text?.GetValue<string>() ?? "") + " " + suffix);
    }

    [GeneratedRegex("""name="Input.BaseVersion" value="(\d+)"|value="(\d+)"[^>]*name="Input.BaseVersion" """)]
    private static partial Regex BaseVersion();

    private static string Textarea(string html, string name)
    {
        var m = Regex.Match(html, $"<textarea[^>]*name=\"{Regex.Escape(name)}\"[^>]*>(.*?)</textarea>", RegexOptions.Singleline);
        Assert.True(m.Success, $"no textarea {name}");
        return WebUtility.HtmlDecode(m.Groups[1].Value).TrimStart('\r', '\n');
    }

    private async Task<HttpClient> SignedInClientAsync(string email)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.BaseUrl,
        };
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(client, email)).StatusCode);
        return client;
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pageUrl, IEnumerable<KeyValuePair<string, string>> fields, string? postUrl = null)
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
}
