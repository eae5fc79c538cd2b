using System.Text.RegularExpressions;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.Rounds;

/// <summary>
/// The round form (new and edit) keeps what a coordinator types on their device until the server has it: a session
/// that ended before "Save" sends the post to the sign-in page, and after signing in the values are back in the form.
/// Values typed to a round saved again since do not overwrite the saved ones: they are shown apart, to copy.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RoundFormDeviceCopyTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    [Theory]
    [InlineData("edit")]
    [InlineData("create")]
    public async Task Values_typed_before_the_session_ended_are_back_in_the_round_form_after_signing_in_again(string form)
    {
        var setup = await CoordinatorSetup.SignInAsync(app);
        var roundId = form == "edit" ? await setup.CreateRoundAsync("Round before the session ended", ["THB"]) : 0;
        var path = form == "edit" ? $"/Rounds/Edit/{roundId}" : "/Rounds/Create";
        var title = $"Typed before the session ended ({form})";
        await using var test = browser.Start(app, form);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(page)).SignInAsync("coordinator@demo.local");
            var fields = await RoundFormPage.OpenAsync(page, path);
            await fields.Title.FillAsync(title);
            await fields.Description.FillAsync("<p>A description typed before the session ended.</p>");
            // A copy another form left a month ago: not kept for ever.
            await page.EvaluateAsync("() => localStorage.setItem('consultation:form:999:round:1:old', JSON.stringify({ id: 'x', fields: [], at: Date.now() - 31 * 86400000 }))");
            var typed = Assert.Single(await fields.DeviceCopyKeysAsync(), k => !k.EndsWith(":old", StringComparison.Ordinal));

            var otherTab = await page.Context.NewPageAsync();
            await otherTab.GotoAsync("/");
            await new Navbar(otherTab).SignOutAsync();
            await otherTab.CloseAsync();
            Assert.Equal([typed], await fields.DeviceCopyKeysAsync());

            await page.Locator("main").GetByRole(AriaRole.Button, new() { Name = form == "edit" ? "Save" : "Create", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/Account/Login\\?ReturnUrl=", RegexOptions.IgnoreCase));
            await new LoginPage(page).SignInAndReturnAsync("coordinator@demo.local");

            await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
            await Expect(fields.Notice).ToHaveTextAsync("Your unsaved changes from this device were restored.");
            await Expect(fields.Title).ToHaveValueAsync(title);
            await Expect(fields.Description).ToHaveValueAsync("<p>A description typed before the session ended.</p>");
            await test.ScreenshotAsync(page, "restored-after-sign-in");

            await page.Locator("main").GetByRole(AriaRole.Button, new() { Name = form == "edit" ? "Save" : "Create", Exact = true }).ClickAsync();
            await Expect(page.GetByText(form == "edit" ? "Round saved." : "Round created.")).ToBeVisibleAsync();
            Assert.Empty(await fields.DeviceCopyKeysAsync());
            await using var conn = new SqliteConnection($"Data Source={app.DatabasePath}");
            Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rounds WHERE title = @title", new { title }));
            test.AssertNoBrowserErrors();
        });
    }

    [Fact]
    public async Task Values_typed_to_a_round_saved_again_since_are_shown_apart_until_removed()
    {
        var setup = await CoordinatorSetup.SignInAsync(app);
        var roundId = await setup.CreateRoundAsync("Round saved elsewhere", ["THB"]);
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(page)).SignInAsync("coordinator@demo.local");
            var fields = await RoundFormPage.OpenAsync(page, $"/Rounds/Edit/{roundId}");
            await fields.Title.FillAsync("Typed in this tab");

            // Meanwhile the round is saved elsewhere.
            await using (var conn = new SqliteConnection($"Data Source={app.DatabasePath}"))
                await conn.ExecuteAsync("UPDATE rounds SET title = 'Saved elsewhere', updated_at = @now WHERE id = @roundId",
                    new { now = DapperSetup.Format(DateTimeOffset.UtcNow.AddSeconds(1)), roundId });

            await page.ReloadAsync();
            await Expect(fields.Title).ToHaveValueAsync("Saved elsewhere");
            await Expect(fields.Notice).ToBeHiddenAsync();
            var copy = fields.UnsavedCopy.GetByLabel("Title", new() { Exact = true });
            await Expect(copy).ToHaveValueAsync("Typed in this tab");
            await Expect(copy).Not.ToBeEditableAsync();
            await test.ScreenshotAsync(page, "shown-apart");
            var report = new System.Text.StringBuilder();
            await AxeCheck.AppendSeriousViolationsAsync(page, report, "round form's not-saved panel");
            Assert.True(report.Length == 0, "Accessibility violations:\n" + report);

            await fields.RemoveUnsavedCopyButton.ClickAsync();
            await Expect(fields.UnsavedCopy).ToBeHiddenAsync();
            await Expect(fields.Notice).ToHaveTextAsync("The unsaved copy was removed from this device.");
            Assert.Empty(await fields.DeviceCopyKeysAsync());
            await page.ReloadAsync();
            await Expect(fields.UnsavedCopy).ToBeHiddenAsync();
            test.AssertNoBrowserErrors();
        });
    }
}
