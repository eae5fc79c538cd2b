using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/</c> for a signed-in person: "Welcome, name" and cards for what their roles allow.</summary>
public sealed class HomePage(IPage page)
{
    public Navbar Navbar { get; } = new(page);
    public ILocator WelcomeHeading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator StatusMessage => page.GetByRole(AriaRole.Status);

    /// <summary>Waits until the browser shows the signed-in home page (after sign-in or accepting an invitation).</summary>
    public static async Task<HomePage> ExpectAsync(IPage page)
    {
        var home = new HomePage(page);
        await Expect(home.WelcomeHeading).ToContainTextAsync("Welcome, ");
        return home;
    }
}
