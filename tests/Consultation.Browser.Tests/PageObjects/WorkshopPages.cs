using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Workshops/Create</c>.</summary>
public sealed class CreateWorkshopPage(IPage page)
{
    public static async Task<CreateWorkshopPage> OpenAsync(IPage page)
    {
        await page.GotoAsync("/Workshops/Create");
        return new CreateWorkshopPage(page);
    }

    /// <summary>Creates a workshop whose agenda is the page's default (PESTLE, then social tolerance).</summary>
    public async Task<WorkshopControlPage> CreateAsync(string round, string title)
    {
        await page.GetByLabel("Round").SelectOptionAsync(new SelectOptionValue { Label = round });
        await page.GetByLabel("Title", new() { Exact = true }).FillAsync(title);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        var control = new WorkshopControlPage(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        return control;
    }
}

/// <summary><c>/Workshops/Control/{id}</c>: plain forms plus live counts.</summary>
public sealed class WorkshopControlPage(IPage page)
{
    public IPage Page => page;
    public ILocator JoinCode => page.GetByTestId("join-code");
    public ILocator Factors => page.GetByTestId("factor");
    public ILocator Connected => page.Locator("[data-live=connected]");
    public ILocator ScreenLink => page.GetByRole(AriaRole.Link, new() { Name = "Open the projector screen" });

    public Task ClickAsync(string button) => page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
}

/// <summary><c>/join</c> and <c>/join/{code}</c> on a phone.</summary>
public sealed class JoinPage(IPage page)
{
    public ILocator Status => page.Locator("[data-live=status]");

    public static async Task<JoinPage> JoinAsync(IPage page, string code, string name, string category)
    {
        await page.GotoAsync("/join");
        await page.GetByLabel("Workshop code").FillAsync(code.ToLowerInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByLabel("Display name").FillAsync(name);
        await page.GetByLabel("Category").SelectOptionAsync(new SelectOptionValue { Label = category });
        await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        var join = new JoinPage(page);
        await Expect(join.Status).ToHaveTextAsync("Connected");
        return join;
    }

    public async Task AddFactorAsync(string dimension, string text)
    {
        await page.GetByLabel("Dimension").SelectOptionAsync(new SelectOptionValue { Label = dimension });
        await page.GetByLabel("Factor", new() { Exact = true }).FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add factor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = text })).ToBeVisibleAsync();
    }

    /// <summary>Presses "Add factor" with an empty text: the phone says why instead of sending.</summary>
    public async Task AddEmptyFactorAsync()
    {
        await page.GetByLabel("Factor", new() { Exact = true }).FillAsync("   ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add factor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Write the factor in 1 to 200 characters." })).ToBeVisibleAsync();
    }

    /// <summary>Scores one factor's impact and likelihood; waits for the server's acknowledgement.</summary>
    public async Task ScoreFactorAsync(string factor, int impact, int likelihood)
    {
        var card = page.GetByTestId("score-item").Filter(new() { HasText = factor });
        await card.GetByRole(AriaRole.Group, new() { Name = "Impact" }).GetByText(impact.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Exact = true }).ClickAsync();
        await card.GetByRole(AriaRole.Group, new() { Name = "Likelihood" }).GetByText(likelihood.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Exact = true }).ClickAsync();
        await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("✓ Saved");
    }
}

/// <summary><c>/Workshops/Screen/{id}</c>: the projector view.</summary>
public sealed class WorkshopScreenPage(IPage page)
{
    public IPage Page => page;
    public ILocator Exercise => page.Locator("[data-live=exercise]");
    public ILocator Factors => page.GetByTestId("pestle-factor");
    public ILocator Factor(string text) => Factors.Filter(new() { HasText = text });
    public ILocator Connected => page.Locator("[data-live=connected]");
    public ILocator Qr => page.GetByRole(AriaRole.Img, new() { Name = "QR code of the join address" });
    public ILocator JoinCode => page.GetByTestId("join-code");

    /// <summary>Null when the join code's text fits inside its own box (nothing of it cut off or spilling into the results), else its measures.</summary>
    public Task<string?> JoinCodeOverflowAsync() => JoinCode.EvaluateAsync<string?>(
        "e => e.scrollWidth <= e.clientWidth ? null : `text ${e.scrollWidth} px in a ${e.clientWidth} px box, font ${getComputedStyle(e).fontSize} ${getComputedStyle(e).fontFamily}`");
}
