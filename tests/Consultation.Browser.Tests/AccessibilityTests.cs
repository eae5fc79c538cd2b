using System.Text;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Consultation.Browser.Tests;

/// <summary>
/// axe-core, injected into each page by Playwright, finds no serious or critical violation on the portal's
/// pages — for every role, in English and in Serbian (Latin), on desktop.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private static readonly (string? Email, string[] Paths)[] PagesByPerson =
    [
        (null, ["/Account/Login", "/Account/ForgotPassword", "/join"]),
        ("respondent@demo.local", ["/", "/Account/Manage", "/Account/Manage/ChangePassword"]),
        ("facilitator@demo.local", ["/Workshops", "/Workshops/Create"]),
        ("coordinator@demo.local", ["/", "/Rounds", "/Rounds/Create", "/Organisations", "/Organisations/Create"]),
        ("admin@demo.local", ["/Admin", "/Admin/Users", "/Admin/Audit", "/Account/Manage/TwoFactor"]),
    ];

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
                    var result = await page.RunAxe();
                    foreach (var v in result.Violations.Where(v => v.Impact is "serious" or "critical"))
                        report.AppendLine($"{culture} {email ?? "anonymous"} {path}: [{v.Impact}] {v.Id} — {v.Help}: "
                            + string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html)));
                }
            }
            Assert.True(report.Length == 0, "Accessibility violations:\n" + report);
        });
    }

    private static async Task SwitchCultureAsync(IPage page, string culture)
    {
        if (culture == "en") return;
        await page.GotoAsync("/Account/Login");
        await page.Locator("#culture-select").SelectOptionAsync(culture); // the layout's switcher posts on change
        await page.WaitForFunctionAsync($"document.documentElement.lang === '{culture}'");
    }
}
