using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// The consultation's first whole path through the browser, as people do it: a coordinator creates a round from
/// the demo data, generates the five-indicator questionnaire, publishes it and opens the round; an NGO respondent
/// fills part of it, reloads and finds the draft, completes and submits, and gets a receipt through a real SMTP
/// server; the coordinator sees the response and grades it. On a desktop and on a 390×844 phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RoundEndToEndTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private static readonly string[] IndicatorRows =
    [
        "How easily can criminals obtain", "How widespread is it", "How quickly do perpetrators adapt",
        "How far does society tolerate", "Harm to individuals",
    ];

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task Coordinator_opens_a_round_respondent_submits_coordinator_grades(string device)
    {
        var viewport = device == "phone" ? BrowserTest.Phone : BrowserTest.Desktop;
        var title = $"Western Balkans THB consultation ({device})";
        await using var test = browser.Start(app, device);

        await test.RunAsync(async () =>
        {
            // The coordinator sets the round up through the forms.
            var coordinator = await test.NewPersonAsync("coordinator", viewport);
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            await coordinator.GotoAsync("/Rounds/Create");
            await coordinator.GetByLabel("Title", new() { Exact = true }).FillAsync(title);
            await coordinator.GetByLabel("Opens", new() { Exact = true }).FillAsync("2026-01-10T09:00");
            await coordinator.GetByLabel("Closes", new() { Exact = true }).FillAsync("2099-02-10T17:00");
            // The form proposes crime areas; this round is about one.
            var areas = coordinator.GetByRole(AriaRole.Group, new() { Name = "Crime areas in scope" }).GetByRole(AriaRole.Checkbox);
            for (var i = 0; i < await areas.CountAsync(); i++) await areas.Nth(i).UncheckAsync();
            await coordinator.GetByLabel("Trafficking in human beings").CheckAsync();
            await coordinator.GetByLabel("ASTRA").CheckAsync();
            await coordinator.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
            await Expect(coordinator.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
            var roundUrl = coordinator.Url;

            await coordinator.GetByRole(AriaRole.Link, new() { Name = "New questionnaire" }).ClickAsync();
            await coordinator.GetByLabel("Five-indicator assessment").CheckAsync();
            await coordinator.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
            var editor = new QuestionnaireEditorPage(coordinator);
            await Expect(editor.PreviewMatrix("Trafficking in human beings: rate the five indicators")).ToBeVisibleAsync();
            await coordinator.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
            await Expect(coordinator.GetByRole(AriaRole.Status).Filter(new() { HasText = "Version 1 published." })).ToBeVisibleAsync();

            await coordinator.GotoAsync(roundUrl);
            await coordinator.GetByRole(AriaRole.Button, new() { Name = "Open the round" }).ClickAsync();
            await Expect(coordinator.GetByRole(AriaRole.Status).Filter(new() { HasText = "The round is open." })).ToBeVisibleAsync();
            await test.ScreenshotAsync(coordinator, "1-round-open");

            // The NGO answers part, reloads, finds it, completes and submits.
            var ngo = await test.NewPersonAsync("respondent", viewport);
            var home = await (await LoginPage.OpenAsync(ngo)).SignInAsync("respondent@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, ngo)).OpenAsync(title);
            await form.RateAsync(IndicatorRows[0], 4);
            await form.RateAsync(IndicatorRows[1], 3);
            await form.ExpectSavedAsync();

            await ngo.ReloadAsync();
            await Expect(form.Rating(IndicatorRows[0], 4)).ToBeCheckedAsync();
            await Expect(form.Rating(IndicatorRows[1], 3)).ToBeCheckedAsync();
            await form.RateAsync(IndicatorRows[2], 5);
            await form.RateAsync(IndicatorRows[3], 2);
            await form.RateAsync(IndicatorRows[4], 5);
            await form.Choice("Medium").CheckAsync(new() { Force = true });
            await form.Comment.FillAsync("Recruitment moved to messaging apps this year.");
            var mailsBefore = app.Smtp.CountTo("respondent@demo.local");
            await form.SubmitAsync();
            await Expect(form.Confirmation).ToContainTextAsync("Submitted: revision 1 received.");
            var receipt = await app.Smtp.WaitForMessageAsync("respondent@demo.local", m => (m.Subject ?? "").StartsWith("Receipt:", StringComparison.Ordinal), afterCount: mailsBefore);
            Assert.Contains(title, receipt.TextBody, StringComparison.Ordinal);
            await test.ScreenshotAsync(ngo, "2-submitted");

            // The coordinator sees it on the round and grades it.
            await coordinator.GotoAsync(roundUrl);
            var round = new RoundPage(coordinator);
            await Expect(round.ProgressOf("ASTRA")).ToContainTextAsync("Submitted");
            var response = await (await round.OpenResponsesAsync()).OpenAsync("ASTRA");
            await Expect(response.AnswerTo("Comment (optional)")).ToHaveTextAsync("Recruitment moved to messaging apps this year.");
            await response.GradeAsync("B", "1");
            await Expect(coordinator.Locator("#response-grading")).ToContainTextAsync("B1");
            await test.ScreenshotAsync(coordinator, "3-graded");
            test.AssertNoBrowserErrors();
        });
    }
}
