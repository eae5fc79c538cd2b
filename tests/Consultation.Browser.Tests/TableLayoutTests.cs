using System.Text;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// Wide tables and checkbox lists on the smallest phone (360 px) and on a desktop: a table that does not fit scrolls
/// inside its own named region, reachable and visibly focused from the keyboard (axe scrollable-region-focusable),
/// never the page; the report's weights are written in the reader's culture; a checkbox keeps its label beside it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TableLayoutTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private static readonly ViewportSize SmallPhone = new() { Width = 360, Height = 740 };

    /// <summary>A test that switched language saved it in the person's profile: every test starts from none (English).</summary>
    private async Task ResetCulturesAsync()
    {
        await using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={app.DatabasePath};Foreign Keys=true");
        await conn.ExecuteAsync("UPDATE users SET culture = NULL");
    }

    private static readonly int[] WeightColumns = [1, 3, 5];

    private const string ScrollRegions = ".table-responsive, [class*='table-responsive-']";

    /// <summary>Macedonian's longer words are what pushed the report's grading table past 360 px.</summary>
    [Theory]
    [InlineData("en")]
    [InlineData("mk")]
    public async Task Wide_tables_scroll_in_named_keyboard_regions_and_the_page_never_scrolls_sideways_at_360px(string culture)
    {
        var roundId = await EvidenceDemo.SeedWorkedExampleAsync(app.Services.GetRequiredService<Db>(), DateTimeOffset.UtcNow);
        await ResetCulturesAsync();
        await using var test = browser.Start(app, "tables-360-" + culture);
        var report = new StringBuilder();

        await test.RunAsync(async () =>
        {
            async Task CheckAsync(IPage page, string path)
            {
                var response = await page.GotoAsync(path);
                Assert.True(response is { Ok: true }, $"{path} answered {response?.Status}");
                await AxeCheck.AppendSeriousViolationsAsync(page, report, $"{culture} {path}");
                if (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1"))
                    report.AppendLine($"{culture} {path}: the page scrolls sideways at 360 px");
                var regions = page.Locator(ScrollRegions);
                Assert.True(await regions.CountAsync() > 0, $"{path} has no table region");
                for (var i = 0; i < await regions.CountAsync(); i++)
                {
                    var region = regions.Nth(i);
                    if (!await region.IsVisibleAsync()) continue;
                    var (tabindex, role) = (await region.GetAttributeAsync("tabindex"), await region.GetAttributeAsync("role"));
                    var name = await region.EvaluateAsync<string>("""
                        e => e.getAttribute("aria-label") ?? (document.getElementById(e.getAttribute("aria-labelledby") ?? "")?.textContent ?? "")
                        """);
                    if (tabindex != "0" || role != "region" || string.IsNullOrWhiteSpace(name))
                        report.AppendLine($"{culture} {path}: table region {i} is tabindex={tabindex} role={role} name='{name}'");
                }
            }

            var coordinator = await test.NewPersonAsync("coordinator", SmallPhone);
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            await AccessibilityTests.SwitchCultureAsync(coordinator, culture);
            foreach (var path in new[] { $"/Rounds/Details/{roundId}", $"/Evidence/{roundId}", $"/Evidence/Report/{roundId}?source=Both" })
                await CheckAsync(coordinator, path);

            var admin = await test.NewPersonAsync("admin", SmallPhone);
            await (await LoginPage.OpenAsync(admin)).SignInAsync("admin@demo.local");
            await AccessibilityTests.SwitchCultureAsync(admin, culture);
            await CheckAsync(admin, "/Admin/Audit");

            Assert.True(report.Length == 0, "At 360 px:\n" + report);

            // Focused (tabindex="0" above puts it in the Tab order), the grading table's region shows the portal's focus ring.
            await coordinator.GotoAsync($"/Evidence/Report/{roundId}?source=Both");
            var grading = coordinator.Locator("[role=region]:has(> #grading-table)");
            await Expect(grading.Locator("#grading-table")).ToBeVisibleAsync();
            await grading.FocusAsync();
            await Expect(grading).ToBeFocusedAsync();
            var outline = await grading.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth");
            Assert.StartsWith("solid 3px", outline, StringComparison.Ordinal);
            await test.ScreenshotAsync(coordinator, "report-grading-focused");
        });
    }

    /// <summary>The methodology's grading weights are the aggregation's own, written like the round's weights above them.</summary>
    [Theory]
    [InlineData("en", "0.8", "0.75")]
    [InlineData("sr-Latn", "0,8", "0,75")]
    public async Task Report_grading_weights_are_written_in_the_readers_culture(string culture, string b, string medium)
    {
        var roundId = await EvidenceDemo.SeedWorkedExampleAsync(app.Services.GetRequiredService<Db>(), DateTimeOffset.UtcNow);
        await ResetCulturesAsync();
        await using var test = browser.Start(app, "grading-" + culture);

        await test.RunAsync(async () =>
        {
            var coordinator = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            await AccessibilityTests.SwitchCultureAsync(coordinator, culture);
            await coordinator.GotoAsync($"/Evidence/Report/{roundId}?source=Both");
            var rows = coordinator.Locator("#grading-table tbody tr");
            await Expect(rows.Nth(1).Locator("td").Nth(1)).ToHaveTextAsync(b);        // source B
            await Expect(rows.Nth(1).Locator("td").Nth(5)).ToHaveTextAsync(medium);   // MEDIUM confidence
            await Expect(rows.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync("1");      // as the settings table writes 1.0
            var other = culture == "en" ? "," : ".";
            for (var row = 0; row < 4; row++)
                foreach (var column in WeightColumns)
                    Assert.DoesNotContain(other, await rows.Nth(row).Locator("td").Nth(column).InnerTextAsync(), StringComparison.Ordinal);
            test.AssertNoBrowserErrors();
        });
    }

    /// <summary>A crime area or organisation whose name wraps keeps its checkbox on its first line, at 1280 px and at 360 px.</summary>
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(360, 740)]
    public async Task Round_form_checkboxes_stay_beside_their_wrapping_labels(int width, int height)
    {
        const string code = "LONG_NAMED_AREA";
        await using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={app.DatabasePath};Foreign Keys=true"))
            await conn.ExecuteAsync("""
                INSERT INTO crime_areas (code, name_en, name_sr_latn, name_mk, name_sq, sort_order)
                VALUES (@code, @name, @name, @name, @name, 5) ON CONFLICT (code) DO NOTHING
                """, new { code, name = "Trafficking of firearms, their essential components and ammunition along the Western Balkans routes into the European Union and back again" });
        await ResetCulturesAsync();
        await using var test = browser.Start(app, $"checkboxes-{width}");

        await test.RunAsync(async () =>
        {
            var coordinator = await test.NewPersonAsync("coordinator", new ViewportSize { Width = width, Height = height });
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            await coordinator.GotoAsync("/Rounds/Create");
            var boxes = coordinator.Locator("input[type=checkbox][name='Input.CrimeAreas'], input[type=checkbox][name='Input.Organisations']");
            Assert.True(await boxes.CountAsync() > 5);
            var wrapped = 0;
            for (var i = 0; i < await boxes.CountAsync(); i++)
            {
                var box = boxes.Nth(i);
                var id = await box.GetAttributeAsync("id");
                var label = coordinator.Locator($"label[for='{id}']");
                var b = (await box.BoundingBoxAsync())!;
                var l = (await label.BoundingBoxAsync())!;
                var lineHeight = await label.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).lineHeight)");
                if (l.Height > lineHeight * 1.5) wrapped++;
                Assert.True(l.X >= b.X + b.Width, $"{id}: the label starts left of its checkbox's right edge ({l.X} < {b.X + b.Width})");
                Assert.True(Math.Abs(l.Y - b.Y) < lineHeight, $"{id}: the checkbox (y {b.Y}) is not on its label's first line (y {l.Y})");
            }
            Assert.True(wrapped > 0, "no label wraps: the check proves nothing");
            await test.ScreenshotAsync(coordinator, "crime-areas");
            test.AssertNoBrowserErrors();
        });
    }
}
