using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Browser.Tests.Respond;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// Issue 6, "Durability", in a live workshop: a participant scores while another process holds the database's write
/// lock. The phone keeps the pick, says "not saved yet, trying again", and sends it again by itself until the
/// database takes it — without a reload, a reconnect or a second tap.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WorkshopOutageTests(BrowserFixture browser, ImpatientBrowserPortal app) : IClassFixture<ImpatientBrowserPortal>
{
    private const string Round = "SOCTA 2027 outage workshop";

    [Fact]
    public async Task A_score_given_while_the_database_is_locked_is_kept_on_the_phone_and_saved_by_itself_once_it_is_free_and_a_join_refused_as_busy_is_retried()
    {
        await RoundSeed.OpenRoundAsync(app, Round, "DRUGS");
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var facilitator = await test.NewPersonAsync("facilitator");
            await (await LoginPage.OpenAsync(facilitator)).SignInAsync("facilitator@demo.local");
            var control = await (await CreateWorkshopPage.OpenAsync(facilitator)).CreateAsync(Round, "Ohrid PESTLE workshop");
            var code = (await control.JoinCode.InnerTextAsync()).Trim();
            await control.ClickAsync("Start the first exercise");

            var phone = await test.NewPersonAsync("ana", BrowserTest.Phone);
            var ana = await JoinPage.JoinAsync(phone, code, "Ana", "NGO");
            await ana.AddFactorAsync("Legal", "Weak witness protection");
            await Expect(control.Factors).ToHaveCountAsync(1);
            await control.ClickAsync("Start scoring");

            var card = phone.GetByTestId("score-item").Filter(new() { HasText = "Weak witness protection" });
            await Expect(card).ToBeVisibleAsync();
            await using (var holder = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False"))
            {
                await holder.OpenAsync();
                await holder.ExecuteAsync("BEGIN IMMEDIATE");

                await card.GetByRole(AriaRole.Group, new() { Name = "Impact" }).GetByText("4", new() { Exact = true }).ClickAsync();
                await card.GetByRole(AriaRole.Group, new() { Name = "Likelihood" }).GetByText("5", new() { Exact = true }).ClickAsync();
                await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("The server is busy: not saved yet, trying again…", new() { Timeout = 15_000 });
                await Expect(ana.Status).ToHaveTextAsync("Connected");
                await Expect(card.GetByRole(AriaRole.Group, new() { Name = "Likelihood" }).GetByRole(AriaRole.Radio, new() { Name = "5" })).ToBeCheckedAsync();
                await test.ScreenshotAsync(phone, "1-phone-busy");
                Assert.Equal(0L, await holder.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scores"));
                await holder.ExecuteAsync("ROLLBACK");
            }

            // Nobody taps again: the phone's own retry stores the pick.
            await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("✓ Saved", new() { Timeout = 15_000 });
            await using var check = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
            Assert.Equal((4L, 5L), await check.QuerySingleAsync<(long, long)>("SELECT value, value2 FROM scores"));

            // The phone reloads while the database is locked: the page is read, but the hub's Join (which writes)
            // is refused as busy. The phone retries the Join on the open connection by itself once the lock goes.
            await using (var holder = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False"))
            {
                await holder.OpenAsync();
                await holder.ExecuteAsync("BEGIN IMMEDIATE");
                await phone.ReloadAsync();
                await Expect(ana.Status).Not.ToHaveTextAsync("Connected", new() { Timeout = 15_000 });
                await Task.Delay(3_000); // at least one retry of the Join while still locked
                await holder.ExecuteAsync("ROLLBACK");
            }
            await Expect(ana.Status).ToHaveTextAsync("Connected", new() { Timeout = 15_000 });
            await Expect(card.GetByRole(AriaRole.Group, new() { Name = "Likelihood" }).GetByRole(AriaRole.Radio, new() { Name = "5" })).ToBeCheckedAsync();
            test.AssertNoBrowserErrors();
        });
    }
}
