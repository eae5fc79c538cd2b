using Microsoft.Playwright;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Account/Login</c>.</summary>
public sealed class LoginPage(IPage page)
{
    public ILocator Email => page.GetByLabel("Email", new() { Exact = true });
    public ILocator Password => page.GetByLabel("Password", new() { Exact = true });
    public ILocator SignInButton => page.Locator("main").GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true });

    public static async Task<LoginPage> OpenAsync(IPage page)
    {
        await page.GotoAsync("/Account/Login");
        return new LoginPage(page);
    }

    public async Task<HomePage> SignInAsync(string email, string password = Consultation.Web.Operations.DemoData.Password)
    {
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await SignInButton.ClickAsync();
        return await HomePage.ExpectAsync(page);
    }

    /// <summary>Signs in from a sign-in page that holds a return address, and waits until the browser has left it.</summary>
    public async Task SignInAndReturnAsync(string email, string password = Consultation.Web.Operations.DemoData.Password)
    {
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await SignInButton.ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.OrdinalIgnoreCase));
    }
}
