using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary>The layout's main navigation, on every page; collapsed behind a toggle button below 992 px.</summary>
public sealed class Navbar(IPage page)
{
    public ILocator Root => page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" });
    public ILocator Toggle => Root.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });
    public ILocator Link(string name) => Root.GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    /// <summary>On a narrow screen, opens the menu the way a person does; on a wide one there is nothing to open.</summary>
    public async Task OpenIfCollapsedAsync()
    {
        // Decided by the viewport, not by the toggle's visibility: before the stylesheet applies, the toggle shows
        // on every width for a moment, and a click started then waits for a button that CSS has since hidden.
        if (page.ViewportSize is { Width: >= 992 } || await Toggle.GetAttributeAsync("aria-expanded") == "true") return;
        await Toggle.ClickAsync();
        await Expect(Toggle).ToHaveAttributeAsync("aria-expanded", "true");
    }

    /// <summary>Signs out with the navigation's button and waits for the sign-in page that says so.</summary>
    public async Task<LoginPage> SignOutAsync()
    {
        await OpenIfCollapsedAsync();
        await Root.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.GetByText("You have signed out.")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        return new LoginPage(page);
    }

    public async Task<OrganisationsPage> OpenOrganisationsAsync()
    {
        await OpenIfCollapsedAsync();
        await Link("Organisations").ClickAsync();
        var list = new OrganisationsPage(page);
        await Expect(list.Heading).ToBeVisibleAsync();
        return list;
    }
}
