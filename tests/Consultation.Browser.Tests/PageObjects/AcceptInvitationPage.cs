using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Account/AcceptInvitation?token=…</c>, opened from the invitation mail.</summary>
public sealed class AcceptInvitationPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator Email => page.GetByLabel("Email", new() { Exact = true });
    public ILocator DisplayName => page.GetByLabel("Your name", new() { Exact = true });
    public ILocator Password => page.GetByLabel("Password", new() { Exact = true });
    public ILocator ConfirmPassword => page.GetByLabel("Confirm password", new() { Exact = true });
    public ILocator AcceptButton => page.GetByRole(AriaRole.Button, new() { Name = "Accept invitation" });

    /// <summary>Opens the link; the HTTP status is returned so a test can tell a friendly page from an error.</summary>
    public static async Task<(AcceptInvitationPage Page, int Status)> OpenAsync(IPage page, string link)
    {
        var response = await page.GotoAsync(link) ?? throw new InvalidOperationException($"No response for {link}.");
        return (new AcceptInvitationPage(page), response.Status);
    }

    public async Task<HomePage> AcceptAsync(string displayName, string password)
    {
        await Expect(Heading).ToHaveTextAsync("Welcome to the Consultation portal");
        await DisplayName.FillAsync(displayName);
        await Password.FillAsync(password);
        await ConfirmPassword.FillAsync(password);
        await AcceptButton.ClickAsync();
        return await HomePage.ExpectAsync(page);
    }
}
