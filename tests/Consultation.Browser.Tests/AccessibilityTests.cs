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
/// axe-core, injected into each page by Playwright, finds no serious or critical violation on the portal's
/// pages — for every role, in English and in Serbian (Latin), on desktop.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    internal static readonly (string? Email, string[] Paths)[] PagesByPerson =
    [
        (null, ["/Account/Login", "/Account/ForgotPassword", "/join"]),
        ("respondent@demo.local", ["/", "/Account/Manage", "/Account/Manage/ChangePassword"]),
        ("facilitator@demo.local", ["/Workshops", "/Workshops/Create"]),
        ("coordinator@demo.local", ["/", "/Rounds", "/Rounds/Create", "/Organisations", "/Organisations/Create"]),
        ("admin@demo.local", ["/Admin", "/Admin/Users", "/Admin/Audit", "/Account/Manage/TwoFactor"]),
    ];

    /// <summary>The check itself: a field without a label and an image without text are reported; the same page fixed is not.</summary>
    [Fact]
    public async Task Axe_check_reports_what_axe_finds()
    {
        await using var test = browser.Start(app, "axe-probe");
        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("probe");
            var broken = new StringBuilder();
            await page.SetContentAsync("""<html lang="en"><head><title>Probe</title></head><body><main><h1>Probe</h1><img src="data:,"><input type="text"></main></body></html>""");
            await AxeCheck.AppendSeriousViolationsAsync(page, broken, "probe");
            Assert.Contains("[critical] image-alt", broken.ToString(), StringComparison.Ordinal);
            Assert.Contains("[critical] label", broken.ToString(), StringComparison.Ordinal);

            var fixedPage = new StringBuilder();
            await page.SetContentAsync("""<html lang="en"><head><title>Probe</title></head><body><main><h1>Probe</h1><img src="data:," alt="Logo"><label for="f">Name</label><input id="f" type="text"></main></body></html>""");
            await AxeCheck.AppendSeriousViolationsAsync(page, fixedPage, "probe");
            Assert.True(fixedPage.Length == 0, fixedPage.ToString());
        });
    }

    [Theory]
    [InlineData("en")]
    [InlineData("sr-Latn")]
    public async Task Pages_have_no_serious_or_critical_accessibility_violations(string culture)
    {
        await using var test = browser.Start(app, culture);
        var report = new StringBuilder();
        // The other culture's run saved its language in these users' profiles: start from none.
        await using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            await conn.OpenAsync();
            await using var reset = conn.CreateCommand();
            reset.CommandText = "UPDATE users SET culture = NULL";
            await reset.ExecuteNonQueryAsync();
        }

        await test.RunAsync(async () =>
        {
            foreach (var (email, paths) in PagesByPerson)
            {
                var page = await test.NewPersonAsync(email ?? "anonymous");
                if (email is not null) await (await LoginPage.OpenAsync(page)).SignInAsync(email);
                await SwitchCultureAsync(page, culture);
                foreach (var path in paths)
                {
                    var response = await page.GotoAsync(path);
                    Assert.True(response is { Ok: true }, $"{path} answered {response?.Status}");
                    await AxeCheck.AppendSeriousViolationsAsync(page, report, $"{culture} {email ?? "anonymous"} {path}");
                }
            }
            Assert.True(report.Length == 0, "Accessibility violations:\n" + report);
        });
    }

    /// <summary>
    /// The pages with live or computed content: the evidence matrix, a cell's drill-down and the report (worked
    /// example), a running workshop's control page and projector screen, /join and the participant's page.
    /// </summary>
    [Theory]
    [InlineData("mk")]
    [InlineData("en")]
    public async Task Evidence_workshop_and_join_pages_have_no_serious_or_critical_violations(string culture)
    {
        var roundId = await EvidenceDemo.SeedWorkedExampleAsync(app.Services.GetRequiredService<Db>(), DateTimeOffset.UtcNow);
        var workshopRound = $"Accessibility workshop {culture}";
        await RoundSeed.OpenRoundAsync(app, workshopRound, "DRUGS", "THB");
        await using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={app.DatabasePath};Foreign Keys=true"))
            await conn.ExecuteAsync("UPDATE users SET culture = NULL");
        await using var test = browser.Start(app, "live-" + culture);
        var report = new StringBuilder();

        await test.RunAsync(async () =>
        {
            async Task CheckAsync(IPage page, string who)
            {
                await AxeCheck.AppendSeriousViolationsAsync(page, report, $"{culture} {who} {new Uri(page.Url).PathAndQuery}");
            }

            // Set up in English (the page objects speak English), then read every page in the culture under test.
            var facilitator = await test.NewPersonAsync("facilitator");
            await (await LoginPage.OpenAsync(facilitator)).SignInAsync("facilitator@demo.local");
            var control = await (await CreateWorkshopPage.OpenAsync(facilitator)).CreateAsync(workshopRound, "Accessible workshop");
            var code = (await control.JoinCode.InnerTextAsync()).Trim();
            await control.ClickAsync("Start the first exercise");
            var controlUrl = facilitator.Url;
            var participant = await test.NewPersonAsync("participant", BrowserTest.Phone);
            await JoinPage.JoinAsync(participant, code, "Ana", "NGO");

            await SwitchCultureAsync(facilitator, culture);
            await facilitator.GotoAsync(controlUrl);
            await Expect(control.Connected).ToHaveTextAsync("1");
            await CheckAsync(facilitator, "facilitator");
            await facilitator.GotoAsync(controlUrl.Replace("/Control/", "/Screen/", StringComparison.Ordinal));
            await Expect(facilitator.Locator("[data-live=exercise]")).Not.ToBeEmptyAsync();
            await CheckAsync(facilitator, "facilitator");

            await SwitchCultureAsync(participant, culture);
            await participant.GotoAsync($"/join/{code}");
            await Expect(participant.Locator("[data-live=exercise] form, [data-live=exercise] h2").First).ToBeVisibleAsync();
            await CheckAsync(participant, "participant");
            var stranger = await test.NewPersonAsync("stranger", BrowserTest.Phone);
            await SwitchCultureAsync(stranger, culture);
            await stranger.GotoAsync("/join");
            await CheckAsync(stranger, "anonymous");
            await stranger.GotoAsync($"/join/{code}");
            await CheckAsync(stranger, "anonymous");

            var coordinator = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            await SwitchCultureAsync(coordinator, culture);
            foreach (var path in new[] { $"/Evidence/{roundId}", $"/Evidence/Cell/{roundId}/DRUGS/DAMAGE", $"/Evidence/Report/{roundId}" })
            {
                var response = await coordinator.GotoAsync(path);
                Assert.True(response is { Ok: true }, $"{path} answered {response?.Status}");
                await CheckAsync(coordinator, "coordinator");
            }
            // Serious or critical violations fail; the matrix prints every value (colour is not the only carrier).
            await coordinator.GotoAsync($"/Evidence/{roundId}");
            await Expect(coordinator.Locator("table").First).ToContainTextAsync(culture == "en" ? "3.9835" : "3,9835");
            Assert.True(report.Length == 0, "Accessibility violations:\n" + report);
        });
    }

    internal static async Task SwitchCultureAsync(IPage page, string culture)
    {
        if (culture == "en") return;
        await page.GotoAsync("/Account/Login");
        await new Navbar(page).OpenIfCollapsedAsync(); // the switcher is in the menu, collapsed on a phone
        // As from the keyboard: the choice, then Enter (a pointer's pick posts at once; the arrows alone do not).
        await page.Locator("#culture-select").SelectOptionAsync(culture);
        await page.Locator("#culture-select").PressAsync("Enter");
        // Not WaitForFunction: when it has to poll, it evals its predicate in the page, which the CSP refuses.
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture);
    }
}
