using System.Net;
using System.Text.RegularExpressions;

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
        // Not following redirects: a redirect to the sign-in page would otherwise count as "served".
        var client = app.CreateBrowserLikeClient();
        foreach (var path in new[] { "/lib/bootstrap/bootstrap.min.css", "/lib/survey/survey.core.min.js", "/lib/survey/survey-js-ui.min.js", "/lib/signalr/signalr.min.js", "/lib/chartjs/chart.umd.js" })
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Sign_in_page_styles_and_scripts_load_without_signing_in()
    {
        var client = app.CreateBrowserLikeClient();
        var html = await client.GetStringAsync("/Account/Login");
        var assets = Regex.Matches(html, "<(?:link[^>]+href|script[^>]+src)=\"(/[^\"]+)\"").Select(m => m.Groups[1].Value).ToList();

        Assert.Contains(assets, a => a.EndsWith(".css", StringComparison.Ordinal));
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var response = await client.GetAsync(asset);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset} answered {(int)response.StatusCode} {response.Headers.Location}");
            Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
