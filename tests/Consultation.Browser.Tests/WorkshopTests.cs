using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// A live PESTLE exercise in Chromium: the facilitator on a laptop with the projector screen open, two
/// participants on phones (390×844) adding and scoring factors; the screen updates without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WorkshopTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private const string Round = "SOCTA 2027 regional workshop";

    [Fact]
    public async Task Participants_on_phones_add_and_score_pestle_factors_and_the_projector_updates_live()
    {
        await RoundSeed.OpenRoundAsync(app, Round, "DRUGS", "THB");
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var facilitator = await test.NewPersonAsync("facilitator");
            await (await LoginPage.OpenAsync(facilitator)).SignInAsync("facilitator@demo.local");
            var control = await (await CreateWorkshopPage.OpenAsync(facilitator)).CreateAsync(Round, "Novi Sad PESTLE workshop");
            var code = (await control.JoinCode.InnerTextAsync()).Trim();
            await control.ClickAsync("Start the first exercise");

            var screenPage = await facilitator.Context.NewPageAsync();
            await screenPage.GotoAsync(facilitator.Url.Replace("/Control/", "/Screen/", StringComparison.Ordinal));
            var screen = new WorkshopScreenPage(screenPage);
            await Expect(screen.Qr).ToBeVisibleAsync();
            await Expect(screen.Exercise).ToContainTextAsync("Collecting factors");
            // The whole code is readable at common projector resolutions (it once spilled out of its column at 1280 and 1366).
            foreach (var (width, height) in new[] { (1280, 720), (1366, 768), (1920, 1080), (390, 844) })
            {
                await screenPage.SetViewportSizeAsync(width, height);
                await Expect(screen.JoinCode).ToHaveTextAsync(code);
                Assert.Null(await screen.JoinCodeOverflowAsync());
            }

            var anaPhone = await test.NewPersonAsync("ana", BrowserTest.Phone);
            var markoPhone = await test.NewPersonAsync("marko", BrowserTest.Phone);
            var ana = await JoinPage.JoinAsync(anaPhone, code, "Ana", "NGO");
            var marko = await JoinPage.JoinAsync(markoPhone, code, "Marko", "Academic");
            await Expect(screen.Connected).ToHaveTextAsync("2");
            // The control page, loaded before anyone joined, counts them without a reload.
            await Expect(facilitator.Locator("[data-live=joined]")).ToHaveTextAsync("2");

            await ana.AddFactorAsync("Political", "Visa liberalisation with neighbouring states");
            await marko.AddFactorAsync("Technological", "Crypto-asset payments for smuggling");
            await ana.AddEmptyFactorAsync();
            // The projector shows both factors without being reloaded.
            await Expect(screen.Factors).ToHaveCountAsync(2);
            await test.ScreenshotAsync(screenPage, "1-screen-collecting");
            await test.ScreenshotAsync(anaPhone, "1-phone-collecting");

            // The control page refreshes itself when the room adds factors; then scoring starts.
            await Expect(control.Factors).ToHaveCountAsync(2);
            await control.ClickAsync("Start scoring");
            await Expect(screen.Exercise).ToContainTextAsync("Scoring factors");

            await ana.ScoreFactorAsync("Visa liberalisation", 4, 5);
            await marko.ScoreFactorAsync("Visa liberalisation", 3, 3);
            await ana.ScoreFactorAsync("Crypto-asset", 5, 5);
            await marko.ScoreFactorAsync("Crypto-asset", 5, 4);

            // Ranked by each participant's own impact × likelihood: crypto (25, 20) 22.5, visa (20, 9) 14.5.
            await Expect(screen.Factor("Crypto-asset payments")).ToContainTextAsync("#1 Crypto-asset payments for smuggling22.5Answers: 2");
            await Expect(screen.Factor("Visa liberalisation")).ToContainTextAsync("#2 Visa liberalisation with neighbouring states14.5Answers: 2");
            await test.ScreenshotAsync(screenPage, "2-screen-scored");
            await test.ScreenshotAsync(markoPhone, "2-phone-scoring");
            await test.ScreenshotAsync(facilitator, "2-control");

            // Locked: phones say so and the scale is disabled.
            await control.ClickAsync("Lock");
            await Expect(anaPhone.GetByText("Locked: answers can no longer be changed.")).ToBeVisibleAsync();
            await Expect(anaPhone.GetByRole(Microsoft.Playwright.AriaRole.Radio).First).ToBeDisabledAsync();

            // Ended: the control page stays put (it once reloaded itself every second, for ever).
            await control.ClickAsync("End the workshop");
            await Expect(facilitator.GetByText("The workshop has ended.").First).ToBeVisibleAsync();
            await facilitator.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.Load); // not WaitForFunction: its polling evals, which the CSP refuses
            await facilitator.EvaluateAsync("window.stillTheSamePage = true");
            await Task.Delay(3000);
            Assert.True(await facilitator.EvaluateAsync<bool>("window.stillTheSamePage === true"), "the ended workshop's control page reloaded itself");
            test.AssertNoBrowserErrors();
        });
    }
}
