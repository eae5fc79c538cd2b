using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Pages.Admin;

public sealed class AdminTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private System.Data.Common.DbConnection Sql() => app.Connection();

    [Fact]
    public async Task Administrator_gives_and_removes_a_role_and_both_are_audited()
    {
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        await using var conn = Sql();
        var userId = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = 'facilitator@demo.local'");
        var fields = new Dictionary<string, string> { ["userId"] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["role"] = "Coordinator" };

        var add = await Forms.PostAsync(admin, "/Admin/Users", fields, "/Admin/Users?handler=AddRole");
        Assert.Equal(HttpStatusCode.Redirect, add.StatusCode);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_roles WHERE user_id = @userId AND role_id = 2", new { userId }));

        var remove = await Forms.PostAsync(admin, "/Admin/Users", fields, "/Admin/Users?handler=RemoveRole");
        Assert.Equal(HttpStatusCode.Redirect, remove.StatusCode);
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM user_roles WHERE user_id = @userId AND role_id = 2", new { userId }));

        var audit = await admin.GetStringAsync("/Admin/Audit?action=role.removed");
        Assert.Contains("facilitator@demo.local: Coordinator", audit, StringComparison.Ordinal);
        Assert.Contains("role.added", await admin.GetStringAsync("/Admin/Audit"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_log_filters_by_actor_text_and_utc_days_takes_wildcards_literally_and_pages_back()
    {
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        await using (var conn = Sql())
        {
            const string insert = "INSERT INTO audit_log (occurred_at, actor_email, action, target, details) VALUES (@At, @Actor, @Action, @Target, @Details)";
            await conn.ExecuteAsync(insert, new[]
            {
                new { At = "2026-01-01T12:00:00.0000000+00:00", Actor = "a_b@filter.test", Action = "test.filter", Target = "round:1", Details = "raised 100% of the weight" },
                new { At = "2026-01-02T23:30:00.0000000+00:00", Actor = "axb@filter.test", Action = "test.filter", Target = "round:2", Details = "raised 1000 of the weight" },
            });
            // 205 entries of one action: a page of 200 and one of 5.
            await conn.ExecuteAsync(insert, Enumerable.Range(0, 205).Select(i => new
            {
                At = $"2026-02-01T10:{i / 60:00}:{i % 60:00}.0000000+00:00", Actor = "pager@filter.test", Action = "test.paging", Target = $"item:{i}", Details = "",
            }));
        }

        // Wildcards are literal: "a_b" is not "axb", "100%" is not "1000".
        var byActor = await admin.GetStringAsync("/Admin/Audit?actor=" + Uri.EscapeDataString("A_B@"));
        Assert.Equal(1, CountRows(byActor));
        Assert.Contains("a_b@filter.test", byActor, StringComparison.Ordinal);
        var byText = await admin.GetStringAsync("/Admin/Audit?action=test.filter&q=" + Uri.EscapeDataString("100%"));
        Assert.Equal(1, CountRows(byText));
        Assert.Contains("round:1", byText, StringComparison.Ordinal);
        Assert.Equal(1, CountRows(await admin.GetStringAsync("/Admin/Audit?q=round%3A2")));

        // Days are UTC days, and times are shown in UTC (23:30, not the next day's 00:30 in Belgrade).
        var day = await admin.GetStringAsync("/Admin/Audit?action=test.filter&from=2026-01-02&to=2026-01-02");
        Assert.Equal(1, CountRows(day));
        Assert.Contains("23:30", day, StringComparison.Ordinal);
        Assert.Equal(2, CountRows(await admin.GetStringAsync("/Admin/Audit?action=test.filter&from=2026-01-01&to=2026-01-02")));
        Assert.Equal(0, CountRows(await admin.GetStringAsync("/Admin/Audit?action=test.filter&from=2026-01-03")));
        // A date that is not one is no filter, not an error.
        Assert.Equal(2, CountRows(await admin.GetStringAsync("/Admin/Audit?action=test.filter&from=not-a-date")));
        // The first and the last date there is are no bound (the day after the last one does not exist: was a 500).
        foreach (var query in new[] { "to=9999-12-31", "from=0001-01-01&to=9999-12-31", "from=0001-01-01" })
        {
            var edge = await admin.GetAsync("/Admin/Audit?action=test.filter&" + query);
            Assert.Equal(HttpStatusCode.OK, edge.StatusCode);
            Assert.Equal(2, CountRows(await edge.Content.ReadAsStringAsync()));
        }
        Assert.Equal(0, CountRows(await admin.GetStringAsync("/Admin/Audit?action=test.filter&from=9999-12-31&to=9999-12-31")));

        var first = await admin.GetStringAsync("/Admin/Audit?action=test.paging");
        Assert.Equal(200, CountRows(first));
        Assert.Contains("item:204", first, StringComparison.Ordinal);
        var older = System.Text.RegularExpressions.Regex.Match(first, "href=\"([^\"]+)\" data-testid=\"older-entries\"|data-testid=\"older-entries\" href=\"([^\"]+)\"");
        Assert.True(older.Success, "no link to older entries");
        var next = await admin.GetStringAsync(WebUtility.HtmlDecode(older.Groups[1].Success ? older.Groups[1].Value : older.Groups[2].Value));
        Assert.Equal(5, CountRows(next));
        Assert.Contains("item:0<", next, StringComparison.Ordinal);
        Assert.DoesNotContain("item:5<", next, StringComparison.Ordinal);
        Assert.DoesNotContain("older-entries", next, StringComparison.Ordinal);
    }

    private static int CountRows(string html)
    {
        var start = html.IndexOf("<tbody", StringComparison.Ordinal);
        var end = html.IndexOf("</tbody>", start, StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Count(html[start..end], "<tr[ >]");
    }

    [Fact]
    public async Task A_disabled_account_is_signed_out_everywhere_cannot_sign_in_even_after_a_password_reset_and_can_be_enabled_again()
    {
        const string email = "respondent3@demo.local";
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        var respondent = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(respondent, email)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await respondent.GetAsync("/Respond")).StatusCode);
        await using var conn = Sql();
        var userId = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = @email", new { email });
        var fields = new Dictionary<string, string> { ["userId"] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture) };

        var disable = await Forms.PostAsync(admin, "/Admin/Users", fields, "/Admin/Users?handler=Disable");
        Assert.Equal(HttpStatusCode.Redirect, disable.StatusCode);
        Assert.NotNull(await conn.ExecuteScalarAsync<string?>("SELECT disabled_at FROM users WHERE id = @userId", new { userId }));
        Assert.Contains("Disabled", await admin.GetStringAsync("/Admin/Users"), StringComparison.Ordinal);

        // The open session ends at its next request; signing in again is refused like a wrong password.
        var after = await respondent.GetAsync("/Respond");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/Account/Login", after.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var again = await Forms.LoginAsync(app.CreateBrowserLikeClient(), email);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Invalid email or password.", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // No reset link goes to a disabled account (the page answers as for anyone).
        var mails = app.Smtp.CountTo(email);
        var forgot = await Forms.PostAsync(app.CreateBrowserLikeClient(), "/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Contains("If an account exists for that address", await forgot.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Equal(mails, app.Smtp.CountTo(email));

        // A password reset clears lockouts, not a disabled account.
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Consultation.Web.Infrastructure.Security.AppUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            Assert.True((await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), "Another-Password-2027")).Succeeded);
        }
        Assert.Equal(HttpStatusCode.OK, (await Forms.LoginAsync(app.CreateBrowserLikeClient(), email, "Another-Password-2027")).StatusCode);

        var enable = await Forms.PostAsync(admin, "/Admin/Users", fields, "/Admin/Users?handler=Enable");
        Assert.Equal(HttpStatusCode.Redirect, enable.StatusCode);
        var back = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(back, email, "Another-Password-2027")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await back.GetAsync("/Respond")).StatusCode);
        Assert.Equal(["user.disabled", "user.enabled"], await conn.QueryAsync<string>(
            "SELECT action FROM audit_log WHERE target = @Target ORDER BY id", new { Target = $"user:{userId}" }));

        // Not one's own account.
        var adminId = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = 'admin@demo.local'");
        var self = await Forms.PostAsync(admin, "/Admin/Users",
            new Dictionary<string, string> { ["userId"] = adminId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "/Admin/Users?handler=Disable");
        Assert.Equal(HttpStatusCode.OK, self.StatusCode);
        Assert.Contains("You cannot disable your own account.", await self.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await conn.ExecuteScalarAsync<string?>("SELECT disabled_at FROM users WHERE id = @adminId", new { adminId }));
    }

    [Fact]
    public async Task An_administrator_unlocks_an_account_locked_by_failed_sign_ins()
    {
        const string email = "facilitator@demo.local";
        for (var i = 0; i < 5; i++) await Forms.LoginAsync(app.CreateBrowserLikeClient(), email, "wrong password " + i);
        var locked = await Forms.LoginAsync(app.CreateBrowserLikeClient(), email);
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode); // the right password, refused: locked
        Assert.Contains("an account is locked for 15 minutes", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        Assert.Contains("handler=Unlock", await admin.GetStringAsync("/Admin/Users"), StringComparison.Ordinal);
        await using var conn = Sql();
        var userId = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = @email", new { email });

        var unlock = await Forms.PostAsync(admin, "/Admin/Users",
            new Dictionary<string, string> { ["userId"] = userId.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "/Admin/Users?handler=Unlock");

        Assert.Equal(HttpStatusCode.Redirect, unlock.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(app.CreateBrowserLikeClient(), email)).StatusCode);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'user.unlocked' AND target = @Target", new { Target = $"user:{userId}" }));
    }

    [Fact]
    public async Task Unknown_role_is_a_400()
    {
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");

        var response = await Forms.PostAsync(admin, "/Admin/Users", new Dictionary<string, string> { ["userId"] = "1", ["role"] = "Root" }, "/Admin/Users?handler=AddRole");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Coordinator_cannot_change_roles()
    {
        var coordinator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(coordinator, "coordinator@demo.local");
        var token = Forms.Token(await coordinator.GetStringAsync("/"));

        var response = await coordinator.PostAsync("/Admin/Users?handler=AddRole", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userId"] = "2", ["role"] = "Administrator", ["__RequestVerificationToken"] = token,
        }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
