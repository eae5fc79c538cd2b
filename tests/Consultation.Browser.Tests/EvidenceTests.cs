using System.Text;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>A coordinator reads the worked example's evidence, drills into a cell and exports CSV in a real browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EvidenceTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    [Fact]
    public async Task Coordinator_opens_a_cell_drill_down_and_exports_csv()
    {
        var roundId = await EvidenceDemo.SeedWorkedExampleAsync(app.Services.GetRequiredService<Db>(), DateTimeOffset.UtcNow);
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(page)).SignInAsync("coordinator@demo.local");
            var evidence = await EvidencePage.OpenAsync(page, roundId);
            await Expect(evidence.Composite("Controlled psychoactive substances")).ToContainTextAsync("3.9835");
            await Expect(evidence.Composite("High-tech crime")).ToContainTextAsync("fewer than 3");

            // The tooltip opens on keyboard focus, not only on hover.
            var cell = evidence.CellLink("Controlled psychoactive substances", "Damage");
            await cell.FocusAsync();
            var tooltip = page.GetByRole(AriaRole.Tooltip).Filter(new() { HasText = "Consensus: 0.7661" });
            await Expect(tooltip).ToBeVisibleAsync();
            await test.ScreenshotAsync(page, "matrix-tooltip");

            var drill = await evidence.OpenCellAsync("Controlled psychoactive substances", "Damage");
            await Expect(drill.Chart).ToHaveAttributeAsync("data-rendered", "5");
            await Expect(drill.Contributions).ToHaveCountAsync(1 + 4);
            await Expect(page.Locator("#contributions")).ToContainTextAsync("0.288");
            await test.ScreenshotAsync(page, "drill-down");

            await page.GoBackAsync();
            var download = await page.RunAndWaitForDownloadAsync(() => evidence.ExportCsv.ClickAsync());
            Assert.Equal($"round-{roundId}-evidence.csv", download.SuggestedFilename);
            var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
            var csv = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
            Assert.Contains(",DRUGS,", csv, StringComparison.Ordinal);
            Assert.Contains("3.9835", csv, StringComparison.Ordinal);

            // At phone width the matrix scrolls and a focused cell shows its figures inside the cell.
            var phone = await test.NewPersonAsync("coordinator-phone", new() { Width = 360, Height = 800 });
            await (await LoginPage.OpenAsync(phone)).SignInAsync("coordinator@demo.local");
            var small = await EvidencePage.OpenAsync(phone, roundId);
            await small.CellLink("Trafficking in human beings", "Damage").FocusAsync();
            await Expect(phone.GetByRole(AriaRole.Tooltip).Filter(new() { HasText = "Weighted mean: 4.8307" })).ToBeVisibleAsync();
            await test.ScreenshotAsync(phone, "phone");
            test.AssertNoBrowserErrors();
        });
    }
}
