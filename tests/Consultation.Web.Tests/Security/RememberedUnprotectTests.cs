using System.Net;
using System.Security.Cryptography;
using System.Text;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;

namespace Consultation.Web.Tests.Security;

/// <summary>
/// The sign-in cookie and the antiforgery tokens are decrypted once and then remembered
/// (<see cref="RememberingDataProtectionProvider"/>): repeated autosaves decrypt nothing, while a tampered token or
/// cookie is still refused, and nothing but those purposes is remembered.
/// </summary>
public sealed class RememberedUnprotectTests(RememberedUnprotectTests.Portal app) : IClassFixture<RememberedUnprotectTests.Portal>
{
    /// <summary>Its own server: the counters below see only this class's requests.</summary>
    public sealed class Portal : PortalFactory;

    private RememberingDataProtectionProvider Provider => app.Services.GetRequiredService<RememberingDataProtectionProvider>();

    [Fact]
    public async Task Repeated_autosaves_decrypt_their_cookie_and_tokens_once()
    {
        Assert.Same(Provider, app.Services.GetRequiredService<IDataProtectionProvider>());
        var (_, q) = await OpenRoundAsync(app, "Remembered " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, """{"note":"a"}""", 1, 0)).StatusCode);

        var before = Provider.Counts;
        for (var i = 1; i <= 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, $$"""{"note":"a{{i}}"}""", 1, i)).StatusCode);
        var after = Provider.Counts;

        // Each save: the auth cookie, the antiforgery cookie and the request token, all answered from memory.
        Assert.Equal(before.Misses, after.Misses);
        Assert.True(after.Hits - before.Hits >= 15, $"hits {before.Hits} → {after.Hits}");
        Assert.Equal(6, (await ResponsesAsync(app, q)).Single().Revision);
    }

    [Fact]
    public async Task A_tampered_token_or_cookie_is_still_refused_after_the_real_ones_were_remembered()
    {
        var (_, q) = await OpenRoundAsync(app, "Tampered " + Guid.NewGuid().ToString("N")[..6], SmallSchema);
        var client = app.CreateBrowserLikeClient();
        var login = await Forms.LoginAsync(client, "respondent@demo.local");
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("consultation.auth=", StringComparison.Ordinal))
            .Split(';')[0]["consultation.auth=".Length..];
        var form = await OpenFormAsync(client, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(client, q, form.Token, """{"note":"kept"}""", 1, 0)).StatusCode);

        var forged = await SaveAsync(client, q, OneCharacterChanged(form.Token), """{"note":"forged"}""", 1, 1);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        // The real cookie (remembered now) signs a cookie-less client in; with one character changed it does not.
        foreach (var (value, signedIn) in new[] { (cookie, true), (OneCharacterChanged(cookie), false) })
        {
            var stranger = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/Respond/Form/{q}");
            request.Headers.Add("Cookie", "consultation.auth=" + value);
            var page = await stranger.SendAsync(request);
            Assert.Equal(signedIn ? HttpStatusCode.OK : HttpStatusCode.Redirect, page.StatusCode);
            if (!signedIn) Assert.Contains("/Account/Login", page.Headers.Location?.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal("""{"note":"kept"}""", (await ResponsesAsync(app, q)).Single().DataJson);
    }

    private static string OneCharacterChanged(string s)
    {
        var chars = s.ToCharArray();
        chars[chars.Length / 2] = chars[chars.Length / 2] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    [Fact]
    public void Only_the_cookie_and_antiforgery_purposes_are_remembered_and_each_caller_gets_its_own_copy()
    {
        var provider = new RememberingDataProtectionProvider(new EphemeralDataProtectionProvider());
        var cookies = provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware")
            .CreateProtector("Identity.Application", "v2");
        var sealedTicket = cookies.Protect(Encoding.UTF8.GetBytes("ticket"));

        var first = cookies.Unprotect(sealedTicket);
        first[0] = (byte)'X';
        Assert.Equal("ticket", Encoding.UTF8.GetString(cookies.Unprotect(sealedTicket)));
        Assert.Equal((1L, 1L), provider.Counts);

        // The same bytes under other purposes are not answered from memory: Data Protection refuses them.
        var other = provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware")
            .CreateProtector("Identity.External", "v2");
        Assert.ThrowsAny<CryptographicException>(() => other.Unprotect(sealedTicket));

        // Any other purpose (reset links, temp data …) is decrypted every time.
        var reset = provider.CreateProtector("DataProtectorTokenProvider");
        var link = reset.Protect([1, 2, 3]);
        reset.Unprotect(link);
        reset.Unprotect(link);
        Assert.Equal((1L, 1L), provider.Counts);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_decryption_is_forgotten_after_its_lifetime()
    {
        var clock = new ManualClock();
        var provider = new RememberingDataProtectionProvider(new EphemeralDataProtectionProvider(), clock);
        var tokens = provider.CreateProtector("Microsoft.AspNetCore.Antiforgery.AntiforgeryToken.v1");
        var token = tokens.Protect([7, 7, 7]);

        tokens.Unprotect(token);
        clock.Now += RememberingDataProtectionProvider.Lifetime - TimeSpan.FromSeconds(1);
        tokens.Unprotect(token);
        Assert.Equal((1L, 1L), provider.Counts);

        clock.Now += TimeSpan.FromSeconds(2);
        Assert.Equal([7, 7, 7], tokens.Unprotect(token));
        Assert.Equal((1L, 2L), provider.Counts);
    }
}
