using System.Net;

namespace Consultation.Web.Tests.Infrastructure;

public sealed class HealthAndHeadersTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Healthz_answers_200_when_the_database_answers()
    {
        var response = await app.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Pages_carry_the_security_headers()
    {
        var response = await app.CreateClient().GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline' 'unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Pages_contain_no_inline_script()
    {
        var html = await app.CreateClient().GetStringAsync("/Account/Login");
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", html);
    }

    [Fact]
    public async Task Unknown_page_gets_a_readable_404_without_a_stack_trace()
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, "coordinator@demo.local");
        var response = await client.GetAsync("/nope-" + Guid.NewGuid());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Not found", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Front_end_libraries_are_served_from_wwwroot_lib()
    {
        var client = app.CreateBrowserLikeClient(); // anonymous, no redirects followed: the sign-in page needs these
        foreach (var path in new[] { "/lib/bootstrap/bootstrap.min.css", "/lib/survey/survey.core.min.js", "/lib/survey/survey-js-ui.min.js", "/lib/signalr/signalr.min.js", "/lib/chartjs/chart.umd.js" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/healthz", 200)]                        // plain text from an endpoint
    [InlineData("GET", "/lib/bootstrap/bootstrap.min.css", 200)] // static file
    [InlineData("GET", "/Error/404", 404)]                     // status-code page
    [InlineData("GET", "/Rounds", 302)]                        // redirect to sign-in
    [InlineData("POST", "/culture", 400)]                      // rejected POST (no antiforgery token)
    public async Task Every_kind_of_response_carries_the_security_headers(string method, string path, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "en" });
        var response = await app.CreateBrowserLikeClient().SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains("frame-ancestors 'none'", string.Join(" ", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }
}
