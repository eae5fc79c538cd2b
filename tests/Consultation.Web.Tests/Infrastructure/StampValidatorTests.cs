using System.Net;
using Dapper;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Operations;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>
/// The security stamp is still checked on every request, but the cookie is kept (not rebuilt and re-issued) while
/// nothing it holds has changed; a change to what it holds reaches the very next request.
/// </summary>
public sealed class StampValidatorTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private System.Data.Common.DbConnection Sql() => app.Connection();

    private static bool ReissuesSignInCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("consultation.auth", StringComparison.Ordinal));

    private async Task<HttpClient> SignedInAsync(string email, string displayName)
    {
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var created = await users.CreateAsync(new AppUser { Email = email, DisplayName = displayName, EmailConfirmed = true }, DemoData.Password);
            Assert.True(created.Succeeded, string.Join(", ", created.Errors.Select(e => e.Description)));
        }
        var client = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(client, email)).StatusCode);
        // The first request after signing in rebuilds the principal once, as Identity always did (the sign-in's
        // authentication-method claim is not kept); from then on the cookie holds exactly what the account says.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Manage")).StatusCode);
        return client;
    }

    [Fact]
    public async Task Signed_in_requests_keep_their_cookie_while_the_account_is_unchanged()
    {
        var client = await SignedInAsync("unchanged@demo.local", "Unchanged Person");

        for (var i = 0; i < 3; i++)
        {
            var page = await client.GetAsync("/Account/Manage");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.False(ReissuesSignInCookie(page), "the sign-in cookie was re-issued although nothing changed");
        }
    }

    [Fact]
    public async Task A_changed_display_name_reaches_the_next_request_and_the_cookie()
    {
        var client = await SignedInAsync("renamed@demo.local", "Before Rename");
        await using (var conn = Sql())
            await conn.ExecuteAsync("UPDATE users SET display_name = 'After Rename' WHERE normalized_email = 'RENAMED@DEMO.LOCAL'");

        var changed = await client.GetAsync("/Account/Manage");
        Assert.Contains("After Rename", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(ReissuesSignInCookie(changed), "the rebuilt principal was not written back to the cookie");

        var next = await client.GetAsync("/Account/Manage");
        Assert.Contains("After Rename", await next.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(ReissuesSignInCookie(next));
    }

    [Fact]
    public async Task A_changed_security_stamp_ends_the_session_at_the_next_request()
    {
        var client = await SignedInAsync("stamped@demo.local", "Stamped Person");
        await using (var conn = Sql())
            await conn.ExecuteAsync("UPDATE users SET security_stamp = 'CHANGED-ELSEWHERE' WHERE normalized_email = 'STAMPED@DEMO.LOCAL'");

        var stale = await client.GetAsync("/Account/Manage");
        Assert.Equal(HttpStatusCode.Redirect, stale.StatusCode);
        Assert.StartsWith("/Account/Login", stale.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }
}
