using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// Browser Back after creating a round, then Create again: Chromium posts the form it shows again (with the same one-time
/// key), and the coordinator lands on the round already created, told so, instead of getting a second identical Draft round.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RoundCreateAgainTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    [Fact]
    public async Task Back_after_creating_a_round_and_Create_again_goes_to_the_same_round_with_a_notice()
    {
        const string title = "Created once despite Back";
        await using var test = browser.Start(app, "desktop");

        await test.RunAsync(async () =>
        {
            var coordinator = await test.NewPersonAsync("coordinator", BrowserTest.Desktop);
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            await coordinator.GotoAsync("/Rounds/Create");
            await coordinator.GetByLabel("Title", new() { Exact = true }).FillAsync(title);
            await coordinator.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
            await Expect(coordinator.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
            var roundUrl = coordinator.Url;

            await coordinator.GoBackAsync();
            await Expect(coordinator.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("New round");
            // The round form does not let the browser restore what was typed (autocomplete off): typed again, as people do.
            await coordinator.GetByLabel("Title", new() { Exact = true }).FillAsync(title);
            await coordinator.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();

            await Expect(coordinator.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
            Assert.Equal(roundUrl, coordinator.Url);
            await Expect(coordinator.GetByText("This form had already created this round, so no second round was made.")).ToBeVisibleAsync();
            await using var conn = new SqliteConnection($"Data Source={app.DatabasePath}");
            await conn.OpenAsync();
            Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rounds WHERE title = @title", new { title }));
        });
    }
}
