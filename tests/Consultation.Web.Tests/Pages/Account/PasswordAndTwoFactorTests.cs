using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Pages.Account;

public sealed partial class PasswordAndTwoFactorTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [GeneratedRegex(@"https?://\S+/Account/ResetPassword\?\S+")]
    private static partial Regex ResetLink();

    [GeneratedRegex("""data-testid="shared-key">([a-z0-9 ]+)<""")]
    private static partial Regex SharedKey();

    private System.Data.Common.DbConnection Sql() => app.Connection();

    [Fact]
    public async Task Password_reset_mail_lets_a_locked_out_user_choose_a_new_password()
    {
        var client = app.CreateBrowserLikeClient();
        for (var i = 0; i < 5; i++) await Forms.LoginAsync(client, "respondent@demo.local", "wrong " + i);

        var request = await Forms.PostAsync(client, "/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "respondent@demo.local" });
        Assert.Contains("If an account exists for that address", await request.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var mail = await app.Smtp.WaitForMessageAsync("respondent@demo.local", m => m.Subject == "Reset your Consultation password");
        var link = new Uri(WebUtility.HtmlDecode(ResetLink().Match(mail.TextBody ?? "").Value)).PathAndQuery;

        var reset = await Forms.PostAsync(client, link, new Dictionary<string, string>
        {
            ["Input.UserId"] = Regex.Match(link, "userId=(\\d+)").Groups[1].Value,
            ["Input.Code"] = Uri.UnescapeDataString(Regex.Match(link, "code=([^&]+)").Groups[1].Value),
            ["Input.Password"] = "a brand new password", ["Input.ConfirmPassword"] = "a brand new password",
        });

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(app.CreateBrowserLikeClient(), "respondent@demo.local", "a brand new password")).StatusCode);
    }

    [Fact]
    public async Task Forgot_password_answers_the_same_for_an_unknown_address_and_sends_nothing()
    {
        var response = await Forms.PostAsync(app.CreateBrowserLikeClient(), "/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "nobody@example.org" });

        Assert.Contains("If an account exists for that address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Task.Delay(300);
        Assert.Equal(0, app.Smtp.CountTo("nobody@example.org"));
    }

    [Fact]
    public async Task Tampered_reset_code_is_refused_with_a_message()
    {
        var response = await Forms.PostAsync(app.CreateBrowserLikeClient(), "/Account/ResetPassword?userId=1&code=bm90LWEtdG9rZW4", new Dictionary<string, string>
        {
            ["Input.UserId"] = "1", ["Input.Code"] = "bm90LWEtdG9rZW4", ["Input.Password"] = "whatever password", ["Input.ConfirmPassword"] = "whatever password",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("This reset link is not valid or has expired.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<(HttpClient Client, string Key)> EnableTwoFactorAsync(string email)
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, email);
        var page = await client.GetStringAsync("/Account/Manage/TwoFactor");
        Assert.Contains("data:image/png;base64,", page, StringComparison.Ordinal);
        var key = SharedKey().Match(page).Groups[1].Value;
        var enable = await client.PostAsync("/Account/Manage/TwoFactor?handler=Enable", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Code"] = Totp.Code(key), ["__RequestVerificationToken"] = Forms.Token(page),
        }));
        var html = await enable.Content.ReadAsStringAsync();
        Assert.Contains("Two-factor sign-in is on.", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"recovery-codes\"", html, StringComparison.Ordinal);
        // Said once: not again on the next page.
        Assert.DoesNotContain("Two-factor sign-in is on.", await client.GetStringAsync("/Account/Manage"), StringComparison.Ordinal);
        return (client, key);
    }

    [Fact]
    public async Task With_an_authenticator_sign_in_asks_for_the_code()
    {
        var (_, key) = await EnableTwoFactorAsync("facilitator@demo.local");

        var client = app.CreateBrowserLikeClient();
        var login = await Forms.LoginAsync(client, "facilitator@demo.local");
        Assert.True(login.Headers.Location is not null, (int)login.StatusCode + await login.Content.ReadAsStringAsync());
        Assert.StartsWith("/Account/LoginWith2fa", login.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var wrong = await Forms.PostAsync(client, login.Headers.Location.OriginalString, new Dictionary<string, string> { ["Input.Code"] = "000000" });
        Assert.Contains("The code is not valid.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var right = await Forms.PostAsync(client, login.Headers.Location.OriginalString, new Dictionary<string, string> { ["Input.Code"] = Totp.Code(key) });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Contains("Welcome, Demo Facilitator", await client.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Administrator_can_require_two_factor_for_coordinators()
    {
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        var saved = await Forms.PostAsync(admin, "/Admin", new Dictionary<string, string> { ["RequireTwoFactorForCoordinators"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        try
        {
            var coordinator = app.CreateBrowserLikeClient();
            await Forms.LoginAsync(coordinator, "coordinator@demo.local");
            var organisations = await coordinator.GetAsync("/Organisations");
            Assert.Equal(HttpStatusCode.Redirect, organisations.StatusCode);
            Assert.Equal("/Account/Manage/TwoFactor", organisations.Headers.Location!.OriginalString);
            Assert.Contains("An administrator requires coordinators to use an authenticator app.", await coordinator.GetStringAsync("/Account/Manage/TwoFactor"), StringComparison.Ordinal);

            // The respondent is not a coordinator: not affected.
            var respondent = app.CreateBrowserLikeClient();
            await Forms.LoginAsync(respondent, "respondent2@demo.local");
            Assert.Equal(HttpStatusCode.OK, (await respondent.GetAsync("/")).StatusCode);

            await using var conn = Sql();
            Assert.Equal("admin@demo.local", await conn.ExecuteScalarAsync<string>("SELECT actor_email FROM audit_log WHERE action = 'setting.changed' ORDER BY id DESC LIMIT 1"));
        }
        finally
        {
            await Forms.PostAsync(admin, "/Admin", new Dictionary<string, string> { ["RequireTwoFactorForCoordinators"] = "false" });
        }
    }

    [Fact]
    public async Task Changing_the_password_ends_the_other_sessions_but_keeps_this_one()
    {
        const string email = "two.sessions@demo.local";
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Consultation.Web.Infrastructure.Security.AppUser>>();
            var created = await users.CreateAsync(new Consultation.Web.Infrastructure.Security.AppUser { Email = email, DisplayName = "Two Sessions", EmailConfirmed = true }, Consultation.Web.Operations.DemoData.Password);
            Assert.True(created.Succeeded, string.Join(", ", created.Errors.Select(e => e.Description)));
        }
        var here = app.CreateBrowserLikeClient();
        var elsewhere = app.CreateBrowserLikeClient(); // e.g. a forgotten session on a shared computer
        await Forms.LoginAsync(here, email);
        await Forms.LoginAsync(elsewhere, email);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/Account/Manage")).StatusCode);

        var change = await Forms.PostAsync(here, "/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = Consultation.Web.Operations.DemoData.Password,
            ["Input.NewPassword"] = "another long password", ["Input.ConfirmPassword"] = "another long password",
        });
        Assert.Equal(HttpStatusCode.Redirect, change.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/Account/Manage")).StatusCode);
        var stale = await elsewhere.GetAsync("/Account/Manage");
        Assert.Equal(HttpStatusCode.Redirect, stale.StatusCode);
        Assert.StartsWith("/Account/Login", stale.Headers.Location!.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_errors_are_in_the_users_language()
    {
        const string email = "macedonian.password@demo.local";
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Consultation.Web.Infrastructure.Security.AppUser>>();
            var created = await users.CreateAsync(new Consultation.Web.Infrastructure.Security.AppUser { Email = email, DisplayName = "Мила", EmailConfirmed = true, Culture = "mk" },
                Consultation.Web.Operations.DemoData.Password);
            Assert.True(created.Succeeded, string.Join(", ", created.Errors.Select(e => e.Description)));
        }
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, email);

        var wrong = await Forms.PostAsync(client, "/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = "not the password", ["Input.NewPassword"] = "another long password", ["Input.ConfirmPassword"] = "another long password",
        });
        Assert.Contains("Тековната лозинка не е точна.", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()), StringComparison.Ordinal);

        var reset = await Forms.PostAsync(client, "/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = Consultation.Web.Operations.DemoData.Password, ["Input.NewPassword"] = "short", ["Input.ConfirmPassword"] = "short",
        });
        var html = WebUtility.HtmlDecode(await reset.Content.ReadAsStringAsync());
        Assert.DoesNotContain("Passwords must be at least", html, StringComparison.Ordinal);
    }
}
