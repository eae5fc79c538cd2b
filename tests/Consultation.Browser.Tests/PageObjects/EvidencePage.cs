using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Evidence/Index/{roundId}</c>: the coordinator's evidence matrix, rankings and exports.</summary>
public sealed class EvidencePage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Evidence", Level = 1 });
    public ILocator Matrix => page.GetByRole(AriaRole.Table, new() { Name = "Consultation threat scores, SOCTA indicators" });
    public ILocator ExportCsv => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV", Exact = true });

    /// <summary>The link of a cell; its accessible name ends with "{area}, {indicator}: open drill-down".</summary>
    public ILocator CellLink(string crimeArea, string indicator) =>
        Matrix.GetByRole(AriaRole.Link, new() { Name = $"{crimeArea}, {indicator}: open drill-down" });

    public ILocator Composite(string crimeArea) =>
        Matrix.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = crimeArea, Exact = true }) });

    public static async Task<EvidencePage> OpenAsync(IPage page, long roundId)
    {
        await page.GotoAsync($"/Evidence/Index/{roundId}");
        var evidence = new EvidencePage(page);
        await Expect(evidence.Heading).ToBeVisibleAsync();
        return evidence;
    }

    public async Task<EvidenceCellPage> OpenCellAsync(string crimeArea, string indicator)
    {
        await CellLink(crimeArea, indicator).ClickAsync();
        var cell = new EvidenceCellPage(page);
        await Expect(cell.Heading).ToHaveTextAsync($"{crimeArea} · {indicator}");
        return cell;
    }
}

/// <summary><c>/Evidence/Cell/{roundId}/{area}/{indicator}</c>: distribution chart and contributing responses.</summary>
public sealed class EvidenceCellPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator Chart => page.GetByRole(AriaRole.Img, new() { Name = "Distribution of values 1 to 5" });
    public ILocator Contributions => page.Locator("#contributions").GetByRole(AriaRole.Row);
}
