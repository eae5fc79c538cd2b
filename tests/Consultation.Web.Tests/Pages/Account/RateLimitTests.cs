using System.Net;

namespace Consultation.Web.Tests.Pages.Account;

public sealed class LowRateLimitPortal : PortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("RateLimits:SensitivePostsPerMinute", "3")];
}

public sealed class RateLimitTests(LowRateLimitPortal app) : IClassFixture<LowRateLimitPortal>
{
    [Fact]
    public async Task Too_many_login_posts_get_429_with_a_readable_page_while_reading_stays_free()
    {
        var client = app.CreateBrowserLikeClient();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await Forms.LoginAsync(client, "nobody@example.org", "wrong password")).StatusCode);

        var limited = await Forms.LoginAsync(client, "nobody@example.org", "wrong password");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Too many attempts", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
        // The same address is throttled on the other credential pages too.
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await Forms.PostAsync(client, "/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "a@b.org" })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await Forms.PostAsync(client, "/Account/AcceptInvitation?token=abc", new Dictionary<string, string>())).StatusCode);
    }
}
