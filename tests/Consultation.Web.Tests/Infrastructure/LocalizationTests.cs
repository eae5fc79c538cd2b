using System.Net;

namespace Consultation.Web.Tests.Infrastructure;

public sealed class LocalizationTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Culture_switcher_sets_serbian_latin_and_returns_to_the_page()
    {
        var client = app.CreateBrowserLikeClient();

        var switched = await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["culture"] = "sr-Latn", ["returnUrl"] = "/Account/Login" }, "/culture");

        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal("/Account/Login", switched.Headers.Location!.OriginalString);
        var html = await client.GetStringAsync("/Account/Login");
        Assert.Contains("<html lang=\"sr-Latn\">", html, StringComparison.Ordinal);
        Assert.Contains("Zaboravili ste lozinku?", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_language_is_the_first_guess()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.AcceptLanguage.ParseAdd("sr-Latn-RS,sr;q=0.8");

        var html = await (await app.CreateClient().SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Contains("Prijava", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serbian_cyrillic_is_offered_and_rendered_in_cyrillic()
    {
        var client = app.CreateBrowserLikeClient();
        Assert.Contains("<option value=\"sr-Cyrl\" lang=\"sr-Cyrl\">Српски</option>", await client.GetStringAsync("/Account/Login"), StringComparison.Ordinal);

        await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["culture"] = "sr-Cyrl", ["returnUrl"] = "/" }, "/culture");
        var html = await client.GetStringAsync("/Account/Login");

        Assert.Contains("<html lang=\"sr-Cyrl\">", html, StringComparison.Ordinal);
        Assert.Contains("Заборавили сте лозинку?", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mk", "Ја заборавивте лозинката?")]
    [InlineData("sq", "Keni harruar fjalëkalimin?")]
    public async Task Macedonian_and_albanian_are_offered_and_rendered(string culture, string forgotPassword)
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["culture"] = culture, ["returnUrl"] = "/" }, "/culture");
        var html = await client.GetStringAsync("/Account/Login");

        Assert.Contains($"<html lang=\"{culture}\">", html, StringComparison.Ordinal);
        Assert.Contains(forgotPassword, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_messages_are_localized()
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["culture"] = "sr-Latn", ["returnUrl"] = "/" }, "/culture");

        var response = await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = "", ["Input.Password"] = "" });

        Assert.Contains("Unesite svoju e-adresu.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/\t/evil.example/")] // browsers drop the tab: "//evil.example/" (was a 500: LocalRedirect refused it)
    [InlineData("/\n/evil.example/")]
    public async Task Unknown_culture_is_a_400_and_foreign_return_url_is_ignored(string foreignUrl)
    {
        var client = app.CreateBrowserLikeClient();
        var bad = await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["culture"] = "xx", ["returnUrl"] = "/" }, "/culture");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var foreign = await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["culture"] = "en", ["returnUrl"] = foreignUrl }, "/culture");
        Assert.Equal(HttpStatusCode.Redirect, foreign.StatusCode);
        Assert.Equal("/", foreign.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Culture_switch_without_antiforgery_token_is_rejected()
    {
        var response = await app.CreateBrowserLikeClient().PostAsync("/culture",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["culture"] = "sr-Latn", ["returnUrl"] = "/" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_signed_in_users_language_follows_them_to_another_device()
    {
        var laptop = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(laptop, "facilitator@demo.local");
        var switched = await Forms.PostAsync(laptop, "/Account/Manage", new Dictionary<string, string> { ["culture"] = "sr-Cyrl", ["returnUrl"] = "/" }, "/culture");
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);

        // A phone that never chose a language, and whose browser asks for English.
        var phone = app.CreateBrowserLikeClient();
        phone.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB");
        Assert.Contains("<html lang=\"en\">", await phone.GetStringAsync("/Account/Login"), StringComparison.Ordinal);
        await Forms.LoginAsync(phone, "facilitator@demo.local");

        Assert.Contains("<html lang=\"sr-Cyrl\">", await phone.GetStringAsync("/Account/Manage"), StringComparison.Ordinal);
    }
}
