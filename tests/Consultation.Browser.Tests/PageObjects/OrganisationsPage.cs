using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Organisations</c>: the list a coordinator picks an organisation from.</summary>
public sealed class OrganisationsPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Organisations", Level = 1 });

    public async Task<OrganisationPage> OpenAsync(string organisation)
    {
        await page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Link, new() { Name = organisation, Exact = true }).ClickAsync();
        var details = new OrganisationPage(page);
        await Expect(details.Heading).ToHaveTextAsync(organisation);
        return details;
    }
}
