using System.Net;
using Dapper;

namespace Consultation.Web.Tests.Pages.Account;

public sealed class LoginTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Demo_coordinator_signs_in_and_lands_on_home()
    {
        var client = app.CreateBrowserLikeClient();

        var response = await Forms.LoginAsync(client, "coordinator@demo.local");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        var home = await client.GetStringAsync("/");
        Assert.Contains("Welcome, Demo Coordinator", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_shows_an_error_and_keeps_the_email()
    {
        var client = app.CreateBrowserLikeClient();

        var response = await Forms.LoginAsync(client, "facilitator@demo.local", "not-the-password");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Invalid email or password.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"facilitator@demo.local\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_for_the_right_password()
    {
        var client = app.CreateBrowserLikeClient();
        for (var i = 0; i < 5; i++) await Forms.LoginAsync(client, "respondent2@demo.local", "wrong-password-" + i);

        var response = await Forms.LoginAsync(client, "respondent2@demo.local");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("locked", html, StringComparison.Ordinal);
        await using var conn = app.Connection();
        var actions = (await conn.QueryAsync<string>(
            "SELECT action FROM audit_log WHERE actor_email = 'respondent2@demo.local' ORDER BY id")).ToList();
        // The fifth failure is the one that locks; the right password afterwards is refused as locked too.
        Assert.Equal(["login.failed", "login.failed", "login.failed", "login.failed", "login.locked_out", "login.locked_out"], actions);
    }

    /// <summary>A locked account and an address with no account get the same answer: the page does not tell which addresses exist.</summary>
    [Fact]
    public async Task A_locked_account_and_an_unknown_address_get_the_same_answer()
    {
        var client = app.CreateBrowserLikeClient();
        for (var i = 0; i < 5; i++) await Forms.LoginAsync(client, "police@demo.local", "wrong-password-" + i);
        for (var i = 0; i < 5; i++) await Forms.LoginAsync(client, "nobody-here@demo.local", "wrong-password-" + i);

        var locked = await (await Forms.LoginAsync(client, "police@demo.local", "wrong-password-again")).Content.ReadAsStringAsync();
        var unknown = await (await Forms.LoginAsync(client, "nobody-here@demo.local", "wrong-password-again")).Content.ReadAsStringAsync();

        Assert.Equal(Summary(unknown), Summary(locked));
        Assert.Contains("locked for 15 minutes", Summary(locked), StringComparison.Ordinal);
    }

    private static string Summary(string html)
    {
        var start = html.IndexOf("validation-summary-errors", StringComparison.Ordinal);
        Assert.True(start >= 0, "no validation summary");
        return html[start..html.IndexOf("</ul>", start, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Successful_login_is_audited_with_actor_and_time()
    {
        var client = app.CreateBrowserLikeClient();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await Forms.LoginAsync(client, "facilitator@demo.local");

        await using var conn = app.Connection();
        var row = await conn.QueryFirstAsync<(long? ActorUserId, string OccurredAt)>(
            "SELECT actor_user_id, occurred_at FROM audit_log WHERE actor_email = 'facilitator@demo.local' AND action = 'login.succeeded'");
        Assert.NotNull(row.ActorUserId);
        Assert.True(DateTimeOffset.Parse(row.OccurredAt, System.Globalization.CultureInfo.InvariantCulture) >= before);
    }

    [Fact]
    public async Task Logout_ends_the_session()
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, "coordinator@demo.local");

        var logout = await Forms.PostAsync(client, "/", new Dictionary<string, string>(), "/Account/Logout");

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        var after = await client.GetAsync("/Organisations");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/Account/Login", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_user_is_redirected_to_login_with_return_url()
    {
        var response = await app.CreateBrowserLikeClient().GetAsync("/Admin/Users");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login?ReturnUrl=%2FAdmin%2FUsers", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("/Admin/Users")]
    [InlineData("/Admin/Audit")]
    [InlineData("/Admin")]
    [InlineData("/Organisations")]
    public async Task Respondent_gets_403_on_admin_and_coordinator_pages(string path)
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, "respondent@demo.local");

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Access denied", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_without_antiforgery_token_is_rejected()
    {
        var client = app.CreateBrowserLikeClient();

        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "coordinator@demo.local", ["Input.Password"] = Consultation.Web.Operations.DemoData.Password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("consultation.auth", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    public async Task Foreign_return_url_is_ignored(string returnUrl)
    {
        var client = app.CreateBrowserLikeClient();

        var response = await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = "coordinator@demo.local", ["Input.Password"] = Consultation.Web.Operations.DemoData.Password, ["ReturnUrl"] = returnUrl,
        });

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Local_return_url_is_followed()
    {
        var client = app.CreateBrowserLikeClient();

        var response = await Forms.PostAsync(client, "/Account/Login", new Dictionary<string, string>
        {
            ["Input.Email"] = "coordinator@demo.local", ["Input.Password"] = Consultation.Web.Operations.DemoData.Password, ["ReturnUrl"] = "/Organisations",
        });

        Assert.Equal("/Organisations", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Auth_cookie_is_http_only_and_same_site_lax()
    {
        var client = app.CreateBrowserLikeClient();
        var response = await Forms.LoginAsync(client, "coordinator@demo.local");

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("consultation.auth", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_address_and_wrong_password_get_the_same_answer()
    {
        static string Body(string html) => System.Text.RegularExpressions.Regex.Replace(html, "value=\"[^\"]*\"", "");
        var known = await Forms.LoginAsync(app.CreateBrowserLikeClient(), "coordinator@demo.local", "not-the-password");
        var unknown = await Forms.LoginAsync(app.CreateBrowserLikeClient(), "nobody.here@demo.local", "not-the-password");

        Assert.Equal(known.StatusCode, unknown.StatusCode);
        // Same page apart from the echoed e-mail and the per-request tokens: nothing tells which accounts exist.
        Assert.Equal(Body(await known.Content.ReadAsStringAsync()), Body(await unknown.Content.ReadAsStringAsync()));
    }
}
