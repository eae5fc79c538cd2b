using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Consultation.Web.Tests.Security;

/// <summary>
/// What only holds outside Development (the scanner and the other tests run in Development over plain http):
/// every cookie is Secure, HTTPS answers carry HSTS, and an error shows the readable page, not a stack trace.
/// </summary>
public sealed class ProductionHardeningTests(ProductionHardeningTests.Portal app) : IClassFixture<ProductionHardeningTests.Portal>
{
    public sealed class Portal : PortalFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(Environments.Production);
        }
    }

    private HttpClient Https() => app.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://consultation.ministry.example/"), AllowAutoRedirect = false, HandleCookies = false,
    });

    [Fact]
    public async Task Cookies_are_secure_http_only_and_same_site()
    {
        var response = await Https().GetAsync("/Account/Login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith("consultation.af=", StringComparison.Ordinal));
        Assert.All(cookies, c =>
        {
            Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; httponly", c, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("; samesite=", c, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task Https_answers_carry_hsts_for_a_year()
    {
        var response = await Https().GetAsync("/Account/Login");

        var hsts = Assert.Single(response.Headers.GetValues("Strict-Transport-Security"));
        Assert.Contains("max-age=31536000", hsts, StringComparison.Ordinal);
        Assert.Contains("includeSubDomains", hsts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_form_shows_the_readable_error_page_without_a_stack_trace()
    {
        var client = Https();
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Email"] = "x" }));

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("   at ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
    }
}
