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
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Portal:PublicBaseUrl", PublicBaseUrl), new("Demo:Seed", "true")];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(Environments.Production);
        }
    }

    private const string PublicBaseUrl = "https://consultation.ministry.example";

    /// <summary>Production without a public address, with <c>AllowedHosts</c> as given (null: the shipped <c>*</c>).</summary>
    private sealed class Unaddressed(string? allowedHosts) : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            allowedHosts is null ? [] : [new("AllowedHosts", allowedHosts)];

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

    /// <summary>
    /// A password-reset mail asked for with a forged <c>Host</c> header links to the configured public address, not to
    /// the host the anonymous request named (it would hand the reset token to that site).
    /// </summary>
    [Fact]
    public async Task Links_in_mail_use_the_public_address_whatever_host_the_request_names()
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://evil.example/"), AllowAutoRedirect = false, HandleCookies = true,
        });

        var response = await Forms.PostAsync(client, "/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "respondent2@demo.local" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var mail = await app.Smtp.WaitForMessageAsync("respondent2@demo.local", m => m.Subject == "Reset your Consultation password");
        Assert.Contains(PublicBaseUrl + "/Account/ResetPassword?userId=", mail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", mail.TextBody, StringComparison.Ordinal);
    }

    /// <summary>Outside Development the portal does not serve with neither a public address nor host filtering, and says what to set.</summary>
    [Fact]
    public async Task Without_a_public_address_or_host_filtering_production_refuses_to_start_and_says_what_to_set()
    {
        await using (var open = new Unaddressed(null))
        {
            await open.InitializeAsync();
            var error = Assert.ThrowsAny<Exception>(() => open.CreateClient());
            Assert.Contains("Set Portal:PublicBaseUrl", error.ToString(), StringComparison.Ordinal);
        }

        await using var filtered = new Unaddressed("consultation.ministry.example");
        await filtered.InitializeAsync();
        var client = filtered.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://consultation.ministry.example/"), AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
        // Host filtering: another host name is refused before any page builds a link on it.
        var other = filtered.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://evil.example/"), AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.BadRequest, (await other.GetAsync("/Account/ForgotPassword")).StatusCode);
    }
}
