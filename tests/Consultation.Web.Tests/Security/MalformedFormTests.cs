using System.Net;
using static Consultation.Web.Tests.Pages.Evidence.EvidenceSteps;

namespace Consultation.Web.Tests.Security;

/// <summary>
/// Tampered form values the security scan (scripts/security-scan.sh, SECURITY.md) answered with a 500: a checkbox
/// posted with a value that is not a boolean, and a POST naming a handler the page does not have.
/// </summary>
public sealed class MalformedFormTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private const string NotABoolean = "true¿'\"(";

    [Theory]
    [InlineData("999")]
    [InlineData("302")]
    [InlineData("0")]
    public async Task An_error_page_address_with_a_status_that_is_no_error_is_a_404(string code)
    {
        var response = await app.CreateBrowserLikeClient().GetAsync($"/Error/{code}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task A_form_without_its_antiforgery_token_is_a_400_page_for_a_browser_and_problem_json_for_a_script()
    {
        var form = new Dictionary<string, string> { ["Input.Email"] = "coordinator@demo.local", ["Input.Password"] = "x" };

        var page = await app.CreateBrowserLikeClient().PostAsync("/Account/Login", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);

        var script = app.CreateBrowserLikeClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/Account/Login") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("application/json");
        var json = await script.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType!.MediaType);
        Assert.Contains("\"status\":400", await json.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// An expired form token: reloading the 400 page posts the form again (and fails again), and a fresh load of the form
    /// loses the text, so the page sends the person back to copy it first — in their language.
    /// </summary>
    [Theory]
    [InlineData("en", "Go back to your page: your text is still there. Copy what you typed, reload that page")]
    [InlineData("sr-Latn", "Vratite se na svoju stranu: vaš tekst je još tamo. Kopirajte ono što ste uneli")]
    public async Task The_400_page_for_an_expired_form_says_go_back_copy_the_text_then_reload(string culture, string advice)
    {
        var client = app.CreateBrowserLikeClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Email"] = "coordinator@demo.local", ["Input.Password"] = "x" }),
        };
        request.Headers.Add("Cookie", ".AspNetCore.Culture=" + Uri.EscapeDataString($"c={culture}|uic={culture}"));

        var page = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains(advice, html, StringComparison.Ordinal);
        Assert.DoesNotContain("Reload the page and try again", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_remember_me_checkbox_counts_as_unchecked_and_the_form_renders()
    {
        var client = app.CreateBrowserLikeClient();

        var wrongPassword = await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = "coordinator@demo.local", ["Input.Password"] = "not the password", ["Input.RememberMe"] = NotABoolean,
        });
        var signedIn = await Forms.PostAsync(app.CreateBrowserLikeClient(), "/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = "coordinator@demo.local", ["Input.Password"] = Consultation.Web.Operations.DemoData.Password, ["Input.RememberMe"] = NotABoolean,
        });

        Assert.Equal(HttpStatusCode.OK, wrongPassword.StatusCode);
        Assert.Contains("name=\"Input.RememberMe\"", await wrongPassword.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        // Unchecked: a session cookie, not a persistent one.
        var auth = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("consultation.auth=", StringComparison.Ordinal));
        Assert.DoesNotContain("expires=", auth, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_tampered_agenda_checkbox_re_renders_the_workshop_form_instead_of_500()
    {
        var facilitator = await SignedInAsync(app, "facilitator@demo.local");

        // No title: the form comes back with its errors and the tampered checkbox rendered unchecked.
        var response = await Forms.PostAsync(facilitator, "/Workshops/Create", new Dictionary<string, string>
        {
            ["Input.Title"] = "", ["Input.Agenda[0].Type"] = "PESTLE", ["Input.Agenda[0].HideResults"] = NotABoolean,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Enter a title.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>One-line titles and names hold no control characters (the rule of rounds' and organisations' too).</summary>
    [Fact]
    public async Task A_questionnaire_workshop_or_token_title_with_a_control_character_is_a_field_error()
    {
        const string title = "The title must be a single line without control characters.", name = "The name must be a single line without control characters.";
        var roundId = await Api.ApiTestKit.ScalarAsync(app, "SELECT MIN(id) FROM rounds WHERE status IN ('Draft', 'Open')");
        var before = await Api.ApiTestKit.ScalarAsync(app, "SELECT (SELECT COUNT(*) FROM questionnaires) + (SELECT COUNT(*) FROM workshops) + (SELECT COUNT(*) FROM api_tokens)");

        var coordinator = await SignedInAsync(app, "coordinator@demo.local");
        var questionnaire = await Forms.PostAsync(coordinator, $"/Questionnaires/Create/{roundId}", new Dictionary<string, string>
        {
            ["Input.Title"] = "Tab\tbed", ["Input.Template"] = "FIVE_INDICATOR",
        });
        Assert.Equal(HttpStatusCode.OK, questionnaire.StatusCode);
        Assert.Contains(title, System.Net.WebUtility.HtmlDecode(await questionnaire.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var facilitator = await SignedInAsync(app, "facilitator@demo.local");
        var workshop = await Forms.PostAsync(facilitator, "/Workshops/Create", new Dictionary<string, string>
        {
            ["Input.RoundId"] = roundId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Input.Title"] = "Line\u0001", ["Input.ScheduledOn"] = "2030-01-20",
            ["Input.Agenda[0].Type"] = "PESTLE", ["Input.Agenda[0].Title"] = "Bell\u0007",
        });
        Assert.Equal(HttpStatusCode.OK, workshop.StatusCode);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(System.Net.WebUtility.HtmlDecode(await workshop.Content.ReadAsStringAsync()), System.Text.RegularExpressions.Regex.Escape(title)));

        // A poll's question is one line; its choices go one per line, with no other control character.
        var poll = await Forms.PostAsync(facilitator, "/Workshops/Create", new Dictionary<string, string>
        {
            ["Input.RoundId"] = roundId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Input.Title"] = "Poll", ["Input.ScheduledOn"] = "2030-01-20",
            ["Input.Agenda[0].Type"] = "POLL", ["Input.Agenda[0].Title"] = "Poll", ["Input.Agenda[0].Question"] = "Which\u0002?",
            ["Input.Agenda[0].Choices"] = "Yes\r\nNo\u001B",
        });
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        var pollForm = System.Net.WebUtility.HtmlDecode(await poll.Content.ReadAsStringAsync());
        Assert.Contains("The question must be a single line without control characters.", pollForm, StringComparison.Ordinal);
        Assert.Contains("Choices go one per line, without other control characters.", pollForm, StringComparison.Ordinal);

        var admin = await SignedInAsync(app, "admin@demo.local");
        var token = await Forms.PostAsync(admin, "/Admin/Tokens", new Dictionary<string, string>
        {
            ["Input.Name"] = "Analysis\nunit", ["Input.Scopes"] = "evidence:read", ["Input.Days"] = "30",
        }, "/Admin/Tokens?handler=Create");
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        Assert.Contains(name, System.Net.WebUtility.HtmlDecode(await token.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        Assert.Equal(before, await Api.ApiTestKit.ScalarAsync(app, "SELECT (SELECT COUNT(*) FROM questionnaires) + (SELECT COUNT(*) FROM workshops) + (SELECT COUNT(*) FROM api_tokens)"));
    }

    [Theory]
    [InlineData("POST", "Freeze¿'\"(")]
    [InlineData("POST", "Nope")]
    public async Task A_handler_the_page_does_not_have_is_404(string method, string handler)
    {
        var roundId = await SeedWorkedExampleAsync(app, "Handlers " + Guid.NewGuid().ToString("N")[..6]);
        var coordinator = await CoordinatorAsync(app);
        var url = $"/Evidence/Index/{roundId}?handler={Uri.EscapeDataString(handler)}";

        var response = method == "GET"
            ? await coordinator.GetAsync(url)
            : await Forms.PostAsync(coordinator, $"/Evidence/Index/{roundId}", new Dictionary<string, string> { ["Freeze.Label"] = "" }, url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_get_naming_an_unknown_handler_is_the_page_itself()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Get handler " + Guid.NewGuid().ToString("N")[..6]);
        var coordinator = await CoordinatorAsync(app);

        var response = await coordinator.GetAsync($"/Evidence/Index/{roundId}?handler=Nope");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("3.9835", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_to_a_page_without_a_post_handler_is_405_naming_what_it_takes()
    {
        var coordinator = await CoordinatorAsync(app);

        var response = await Forms.PostAsync(coordinator, "/Rounds", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow);
    }
}
