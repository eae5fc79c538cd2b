using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>The shared layout in a real browser: navigation on a phone, by keyboard.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LayoutTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    [Fact]
    public async Task Phone_navigation_menu_opens_from_the_keyboard()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var phone = await test.NewPersonAsync("coordinator", BrowserTest.Phone);
            var home = await (await LoginPage.OpenAsync(phone)).SignInAsync("coordinator@demo.local");
            await Expect(home.WelcomeHeading).ToHaveTextAsync("Welcome, Demo Coordinator");
            var organisations = home.Navbar.Link("Organisations");
            await Expect(organisations).ToBeHiddenAsync();
            await Expect(home.Navbar.Toggle).ToHaveAttributeAsync("aria-expanded", "false");

            await home.Navbar.Toggle.FocusAsync();
            await phone.Keyboard.PressAsync("Enter");

            await Expect(home.Navbar.Toggle).ToHaveAttributeAsync("aria-expanded", "true");
            await Expect(organisations).ToBeVisibleAsync();
            await Expect(organisations).ToBeInViewportAsync();
            await test.ScreenshotAsync(phone, "menu-open");

            // Tab moves into the menu that just opened.
            await phone.Keyboard.PressAsync("Tab");
            await Expect(home.Navbar.Link("Home")).ToBeFocusedAsync();
            test.AssertNoBrowserErrors();
        });
    }
}
