using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.Questionnaires;

/// <summary>The questionnaire editor's live preview: SurveyJS renders under the strict CSP and follows the JSON as it is typed.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QuestionnaireEditorTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task Editor_renders_a_live_preview_under_the_csp_and_follows_the_json(string device)
    {
        var viewport = device == "phone" ? BrowserTest.Phone : BrowserTest.Desktop;
        var setup = await CoordinatorSetup.SignInAsync(app);
        var questionnaireId = await setup.CreateQuestionnaireAsync(await setup.CreateRoundAsync($"Preview round ({device})", ["THB"]));
        await using var test = browser.Start(app, device);

        await test.RunAsync(async () =>
        {
            var coordinator = await test.NewPersonAsync("coordinator", viewport);
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            var editor = await QuestionnaireEditorPage.OpenAsync(coordinator, questionnaireId);

            await Expect(editor.PreviewMatrix("Trafficking in human beings: rate the five indicators")).ToBeVisibleAsync();

            // Switching the preview language shows the Serbian (Latin) texts.
            await editor.ShowPreviewInAsync("Srpski");
            await Expect(editor.PreviewMatrix("Trgovina ljudima: ocenite pet indikatora")).ToBeVisibleAsync();

            // Editing the JSON updates the preview; broken JSON is reported and the last good preview stays.
            await editor.ReplaceInSourceAsync("Trgovina ljudima: ocenite pet indikatora", "Izmenjen naslov");
            await Expect(editor.PreviewMatrix("Izmenjen naslov")).ToBeVisibleAsync();
            await editor.Source.FillAsync("{ broken");
            await Expect(editor.PreviewStatus).ToContainTextAsync("cannot read the JSON");
            await Expect(editor.PreviewMatrix("Izmenjen naslov")).ToBeVisibleAsync();
            await test.ScreenshotAsync(coordinator, "broken-json-keeps-preview");

            var overflow = await coordinator.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
            Assert.False(overflow, $"The editor scrolls sideways at {viewport.Width}px.");
            test.AssertNoBrowserErrors();
        });
    }
}
