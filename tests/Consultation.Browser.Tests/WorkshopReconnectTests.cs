using System.Text.RegularExpressions;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// A participant's phone loses its connection in the middle of a live workshop and gets it back: what was typed,
/// sent or refused meanwhile is neither lost nor shown wrongly.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class WorkshopReconnectTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private const string Round = "SOCTA 2027 reconnect workshop";

    [Fact]
    public async Task A_factor_typed_or_sent_while_the_phone_is_offline_survives_the_reconnect_and_is_stored_once_and_a_refused_offline_score_shows_the_server_value_and_why()
    {
        await RoundSeed.OpenRoundAsync(app, Round, "DRUGS");
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var (control, phone, link, ana) = await StartWithAnasPhoneAsync(test, Round, "Skopje PESTLE workshop");
            var factor = phone.GetByLabel("Factor", new() { Exact = true });
            var dimension = phone.GetByLabel("Dimension");
            var formStatus = phone.Locator("form").GetByRole(AriaRole.Status);

            // 1. Typing when the connection drops and comes back: the text and the dimension stay.
            await dimension.SelectOptionAsync(new SelectOptionValue { Label = "Economic" });
            await factor.FillAsync("Corruption in customs");
            await link.DropAsync();
            await Expect(ana.Status).ToHaveTextAsync("Connection lost: reconnecting…");
            await link.RestoreAsync();
            await Expect(ana.Status).ToHaveTextAsync("Connected", new() { Timeout = 15_000 });
            await Expect(factor).ToHaveValueAsync("Corruption in customs");
            await Expect(dimension).ToHaveValueAsync("ECONOMIC");

            // 2. Sent while offline: it stays in the field with a message, and goes once the connection is back.
            await link.DropAsync();
            await Expect(ana.Status).ToHaveTextAsync("Connection lost: reconnecting…");
            await phone.GetByRole(AriaRole.Button, new() { Name = "Add factor" }).ClickAsync();
            await Expect(formStatus).ToHaveTextAsync("No connection: your factor stays here and is sent as soon as the connection is back.");
            await Expect(factor).ToHaveValueAsync("Corruption in customs");
            await test.ScreenshotAsync(phone, "1-factor-waiting");
            await link.RestoreAsync();
            await Expect(formStatus).ToHaveTextAsync("✓ Saved", new() { Timeout = 15_000 });
            await Expect(factor).ToHaveValueAsync("");
            await Expect(control.Factors).ToHaveCountAsync(1);
            Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM pestle_factors WHERE text = 'Corruption in customs' AND dimension = 'ECONOMIC'"));

            // 3. The connection goes silent (the call arrives but its answer never comes back): the phone says "Saving…",
            // not the previous "✓ Saved"; after the reconnect it finds the factor stored and does not send it twice.
            link.Silent = true;
            await factor.FillAsync("Fuel smuggling across the lake");
            await phone.GetByRole(AriaRole.Button, new() { Name = "Add factor" }).ClickAsync();
            await Expect(formStatus).ToHaveTextAsync("Saving…");
            await link.DropAsync();
            await link.RestoreAsync();
            await Expect(formStatus).ToHaveTextAsync("✓ Saved", new() { Timeout = 15_000 });
            await Expect(control.Factors).ToHaveCountAsync(2);
            Assert.Equal(1L, await ScalarAsync("SELECT COUNT(*) FROM pestle_factors WHERE text = 'Fuel smuggling across the lake'"));

            // 4. Scoring: a change that reaches the server after the reconnect ends with "✓ Saved".
            await control.ClickAsync("Start scoring");
            await ana.ScoreFactorAsync("Corruption in customs", 4, 5);
            var card = phone.GetByTestId("score-item").Filter(new() { HasText = "Corruption in customs" });
            var impact = card.GetByRole(AriaRole.Group, new() { Name = "Impact" });
            await link.DropAsync();
            await Expect(ana.Status).ToHaveTextAsync("Connection lost: reconnecting…");
            await impact.GetByText("3", new() { Exact = true }).ClickAsync();
            await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("Connection lost: reconnecting…");
            await link.RestoreAsync();
            await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("✓ Saved", new() { Timeout = 15_000 });
            Assert.Equal(3L, await ScalarAsync("SELECT value FROM scores"));

            // 5. A change made offline and refused after the reconnect (locked meanwhile): the server's value and why.
            await link.DropAsync();
            await Expect(ana.Status).ToHaveTextAsync("Connection lost: reconnecting…");
            await impact.GetByText("1", new() { Exact = true }).ClickAsync();
            await control.ClickAsync("Lock");
            await link.RestoreAsync();
            await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync(
                "Your change was not accepted. The facilitator has locked this exercise: answers can no longer be changed.", new() { Timeout = 15_000 });
            await Expect(impact.GetByRole(AriaRole.Radio, new() { Name = "3" })).ToBeCheckedAsync();
            await Expect(impact.GetByRole(AriaRole.Radio, new() { Name = "1" })).Not.ToBeCheckedAsync();
            Assert.Equal(3L, await ScalarAsync("SELECT value FROM scores"));
            await test.ScreenshotAsync(phone, "2-refused-after-reconnect");
        });
    }

    /// <summary>
    /// The facilitator moves on to scoring while a phone is offline with a factor waiting to be sent and a second one
    /// half typed: neither can be stored any more, and neither disappears — both are shown apart, to read out or copy.
    /// </summary>
    [Fact]
    public async Task Factors_that_could_not_be_sent_before_the_facilitator_moved_on_are_shown_apart_until_dismissed()
    {
        const string round = "SOCTA 2027 moved-on workshop";
        await RoundSeed.OpenRoundAsync(app, round, "DRUGS");
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var (control, phone, link, ana) = await StartWithAnasPhoneAsync(test, round, "Ohrid PESTLE workshop");
            var factor = phone.GetByLabel("Factor", new() { Exact = true });

            await phone.GetByLabel("Dimension").SelectOptionAsync(new SelectOptionValue { Label = "Legal" });
            await factor.FillAsync("Weak witness protection");
            await link.DropAsync();
            await Expect(ana.Status).ToHaveTextAsync("Connection lost: reconnecting…");
            await phone.GetByRole(AriaRole.Button, new() { Name = "Add factor" }).ClickAsync();
            await Expect(phone.Locator("form").GetByRole(AriaRole.Status)).ToHaveTextAsync("No connection: your factor stays here and is sent as soon as the connection is back.");
            await factor.FillAsync("Slow asset confiscation"); // the next one, not added yet

            await control.ClickAsync("Start scoring");
            await link.RestoreAsync();
            await Expect(ana.Status).ToHaveTextAsync("Connected", new() { Timeout = 15_000 });

            var unsent = phone.GetByTestId("unsent-factors");
            await Expect(unsent).ToBeVisibleAsync();
            await Expect(unsent.GetByRole(AriaRole.Heading, new() { Name = "Not sent" })).ToBeVisibleAsync();
            await Expect(unsent.Locator("li")).ToHaveTextAsync(["Legal: Weak witness protection", "Legal: Slow asset confiscation"]);
            await Expect(phone.GetByText("Scoring factors")).ToBeVisibleAsync();
            Assert.Equal(0L, await ScalarAsync("SELECT COUNT(*) FROM pestle_factors WHERE text IN ('Weak witness protection', 'Slow asset confiscation')"));
            await test.ScreenshotAsync(phone, "not-sent");

            // It stays through the live updates of the scoring phase until the participant dismisses it.
            await unsent.GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
            await Expect(unsent).ToBeHiddenAsync();
            // (No AssertNoBrowserErrors: SignalR logs the dropped socket as an error, which is the point here.)
        });
    }

    /// <summary>The facilitator creates a workshop and starts its first exercise (PESTLE); Ana joins on a phone whose link to the hub the test controls.</summary>
    private static async Task<(WorkshopControlPage Control, IPage Phone, FlakyLink Link, JoinPage Ana)> StartWithAnasPhoneAsync(BrowserTest test, string round, string title)
    {
        var facilitator = await test.NewPersonAsync("facilitator");
        await (await LoginPage.OpenAsync(facilitator)).SignInAsync("facilitator@demo.local");
        var control = await (await CreateWorkshopPage.OpenAsync(facilitator)).CreateAsync(round, title);
        var code = (await control.JoinCode.InnerTextAsync()).Trim();
        await control.ClickAsync("Start the first exercise");

        var phone = await test.NewPersonAsync("ana", BrowserTest.Phone);
        var link = await FlakyLink.OnAsync(phone);
        var ana = await JoinPage.JoinAsync(phone, code, "Ana", "NGO");
        return (control, phone, link, ana);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        return await conn.ExecuteScalarAsync<long>(sql);
    }

    [GeneratedRegex("/hubs/workshop")]
    private static partial Regex HubAddress();

    /// <summary>
    /// The phone's network between it and the hub. Playwright's offline mode does not touch an open WebSocket, so the
    /// hub's socket is routed through here: <see cref="DropAsync"/> closes it and refuses new ones (with the context
    /// offline, so negotiation fails too); <see cref="Silent"/> swallows every frame from the server, so the
    /// phone's calls arrive and are acted on but their answers never come back, as on a dying mobile network.
    /// </summary>
    private sealed class FlakyLink
    {
        private readonly IPage _page;
        private readonly List<(IWebSocketRoute Page, IWebSocketRoute Server)> _open = [];
        private volatile bool _offline;

        private FlakyLink(IPage page) => _page = page;

        public volatile bool Silent;

        public static async Task<FlakyLink> OnAsync(IPage page)
        {
            var link = new FlakyLink(page);
            await page.RouteWebSocketAsync(HubAddress(), link.Route);
            return link;
        }

        private void Route(IWebSocketRoute ws)
        {
            if (_offline) { _ = ws.CloseAsync(); return; }
            var server = ws.ConnectToServer();
            ws.OnMessage(m => { if (m.Text is { } t) server.Send(t); else if (m.Binary is { } b) server.Send(b); });
            server.OnMessage(m => { if (!Silent) { if (m.Text is { } t) ws.Send(t); else if (m.Binary is { } b) ws.Send(b); } });
            lock (_open) _open.Add((ws, server));
        }

        public async Task DropAsync()
        {
            _offline = true;
            await _page.Context.SetOfflineAsync(true);
            List<(IWebSocketRoute Page, IWebSocketRoute Server)> open;
            lock (_open) { open = [.. _open]; _open.Clear(); }
            foreach (var (page, server) in open)
            {
                await server.CloseAsync();
                await page.CloseAsync();
            }
        }

        public async Task RestoreAsync()
        {
            Silent = false;
            _offline = false;
            await _page.Context.SetOfflineAsync(false);
        }
    }
}
