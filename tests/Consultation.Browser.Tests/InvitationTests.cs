using System.Text.RegularExpressions;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// The foundation's end-to-end path: an administrator invites a coordinator, the invitation travels through a
/// real SMTP server, and the new person sets up their account from the link — in Chromium, on desktop and phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class InvitationTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private const string Organisation = "Ministry of Interior";
    private const string NewPassword = "Correct-Horse-Battery-9";

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task Invited_coordinator_sets_name_and_password_and_lands_on_their_home_page(string device)
    {
        var viewport = device == "phone" ? BrowserTest.Phone : BrowserTest.Desktop;
        var email = $"nadia.{device}@partner.example";
        var name = $"Nadia Petrović ({device})";
        await using var test = browser.Start(app, device);

        await test.RunAsync(async () =>
        {
            var link = await InviteAsync(test, email, "Coordinator", viewport);

            var invitee = await test.NewPersonAsync("invitee", viewport);
            var (accept, status) = await AcceptInvitationPage.OpenAsync(invitee, link);
            Assert.Equal(200, status);
            await Expect(accept.Email).ToHaveValueAsync(email);
            var home = await accept.AcceptAsync(name, NewPassword);

            await Expect(home.WelcomeHeading).ToHaveTextAsync($"Welcome, {name}");
            await Expect(home.StatusMessage).ToHaveTextAsync("Welcome! Your account is ready.");
            await home.Navbar.OpenIfCollapsedAsync();
            await Expect(home.Navbar.Link("Organisations")).ToBeVisibleAsync();
            await Expect(home.Navbar.Link(name)).ToBeVisibleAsync();
            await test.ScreenshotAsync(invitee, "2-invitee-home");
            test.AssertNoBrowserErrors();
        });
    }

    [Fact]
    public async Task Invitation_link_opened_a_second_time_shows_the_already_used_page()
    {
        var email = "used.twice@partner.example";
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var link = await InviteAsync(test, email, "Respondent", BrowserTest.Desktop);
            var invitee = await test.NewPersonAsync("invitee");
            var (accept, _) = await AcceptInvitationPage.OpenAsync(invitee, link);
            await accept.AcceptAsync("Used Twice", NewPassword);

            // A forwarded mail or a second click: someone opens the link again, in another browser.
            var again = await test.NewPersonAsync("second-visitor");
            var (used, status) = await AcceptInvitationPage.OpenAsync(again, link);

            Assert.Equal(200, status);
            await Expect(used.Heading).ToHaveTextAsync("This invitation has already been used");
            await Expect(again.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
            await Expect(used.Password).ToHaveCountAsync(0);
            await test.ScreenshotAsync(again, "already-used");
            test.AssertNoBrowserErrors();
        });
    }

    /// <summary>The demo administrator invites <paramref name="email"/> from the organisation page; returns the link from the mail.</summary>
    private async Task<string> InviteAsync(BrowserTest test, string email, string role, ViewportSize viewport)
    {
        var admin = await test.NewPersonAsync("admin", viewport);
        var home = await (await LoginPage.OpenAsync(admin)).SignInAsync("admin@demo.local");
        var organisation = await (await home.Navbar.OpenOrganisationsAsync()).OpenAsync(Organisation);

        await organisation.InviteAsync(email, role);

        await Expect(organisation.Members).ToContainTextAsync(email);
        await test.ScreenshotAsync(admin, "1-invitation-sent");
        return await InvitationLinkAsync(email);
    }

    [GeneratedRegex(@"https?://\S+/Account/AcceptInvitation\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex InvitationLink();

    /// <summary>Reads the invitation from the real SMTP peer and takes the link out of the text body.</summary>
    private async Task<string> InvitationLinkAsync(string email)
    {
        var mail = await app.Smtp.WaitForMessageAsync(email, m => m.Subject == "Invitation to the Consultation portal");
        var match = InvitationLink().Match(mail.TextBody ?? "");
        Assert.True(match.Success, "No invitation link in the mail's text body:" + Environment.NewLine + mail.TextBody);
        // The link must lead back to the portal the administrator used, not to some configured other host.
        Assert.Equal(app.BaseUrl.Authority, new Uri(match.Value).Authority);
        return match.Value;
    }
}
