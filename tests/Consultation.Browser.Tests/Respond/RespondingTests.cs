using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Web.Operations;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.Respond;

/// <summary>
/// The respondent's path in Chromium, on the demo round: fill part of the form, see it saved, reload and
/// resume on the same page, finish and submit, get the receipt through a real SMTP server. Also what happens
/// offline and when two tabs edit the same answers.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RespondingTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private const string Resources = "How easily can criminals obtain";
    private const string Damage = "Harm to individuals";

    [Theory]
    [InlineData("desktop", "faculty@demo.local")]
    [InlineData("phone", "share@demo.local")]
    public async Task Respondent_saves_reloads_on_the_same_page_submits_and_gets_a_receipt(string device, string email)
    {
        var viewport = device == "phone" ? BrowserTest.Phone : BrowserTest.Desktop;
        await using var test = browser.Start(app, device);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent", viewport);
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync(email);
            var list = await RespondListPage.OpenFromNavigationAsync(home, page);
            await Expect(list.Item(DemoData.DemoRoundTitle)).ToContainTextAsync("Submitted");
            var form = await list.OpenAsync(DemoData.DemoRoundTitle);

            // Page 1 (drugs): one rating changed, saved without pressing anything.
            await Expect(form.PageTitle("Controlled psychoactive substances")).ToBeVisibleAsync();
            await form.RateAsync(Damage, 5);
            await form.ExpectSavedAsync();
            await form.NextAsync();
            await Expect(form.PageTitle("Trafficking in human beings")).ToBeVisibleAsync();
            await form.Comment.FillAsync($"Seen on {device}: new recruitment online");
            await form.ExpectSavedAsync();
            await test.ScreenshotAsync(page, "1-saved");

            await page.ReloadAsync();

            await Expect(form.PageTitle("Trafficking in human beings")).ToBeVisibleAsync();
            await Expect(form.Comment).ToHaveValueAsync($"Seen on {device}: new recruitment online");
            await form.NextAsync();
            await Expect(form.PageTitle("High-tech crime")).ToBeVisibleAsync();
            await form.RateAsync(Resources, 4);
            var mailsBefore = app.Smtp.CountTo(email);
            await form.SubmitAsync();

            await Expect(form.Confirmation).ToContainTextAsync($"Submitted: revision 2 received. A receipt was sent to {email}.");
            await test.ScreenshotAsync(page, "2-submitted");
            var receipt = await app.Smtp.WaitForMessageAsync(email, m => m.Subject == "Receipt: your answers to \"Five-indicator assessment\"", afterCount: mailsBefore);
            Assert.Contains("Revision 2", receipt.TextBody, StringComparison.Ordinal);
            Assert.Contains(DemoData.DemoRoundTitle, receipt.TextBody, StringComparison.Ordinal);
            test.AssertNoBrowserErrors();
        });
    }

    [Fact]
    public async Task After_submitting_the_respondent_goes_on_editing_the_edits_are_saved_and_submitting_again_makes_the_next_revision()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("respondent@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);
            await form.NextAsync();
            await form.NextAsync();
            await Expect(form.PageTitle("High-tech crime")).ToBeVisibleAsync();
            await form.SubmitAsync();
            await Expect(form.Confirmation).ToBeVisibleAsync();
            var first = int.Parse(System.Text.RegularExpressions.Regex.Match(await form.Confirmation.InnerTextAsync(), @"revision (\d+)").Groups[1].Value,
                System.Globalization.CultureInfo.InvariantCulture);

            // Once a bug: after a submission nothing more was saved, and Submit showed "Thank you" without sending anything.
            await form.Comment.FillAsync("added after submitting");
            await Expect(form.Confirmation).ToBeHiddenAsync();
            await form.ExpectSavedAsync();
            await page.ReloadAsync();
            await Expect(form.Comment).ToHaveValueAsync("added after submitting");

            await form.SubmitAsync();
            await Expect(form.Confirmation).ToContainTextAsync($"Submitted: revision {first + 1} received.");
            await Expect(page.GetByText("Thank you. Your answers are submitted.")).ToBeHiddenAsync();
            // Submitting again with nothing changed makes no empty revision: the confirmation stays.
            await form.SubmitAsync();
            await Expect(form.Confirmation).ToContainTextAsync($"Submitted: revision {first + 1} received.");
            await Expect(form.Survey).ToBeVisibleAsync();
            test.AssertNoBrowserErrors();
        });
    }

    [Fact]
    public async Task A_page_whose_token_no_longer_matches_says_to_reload_and_the_reload_saves_what_was_typed()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("respondent2@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);
            // What signing in again in another tab can do: the antiforgery cookie this page's token belongs to is gone.
            await page.Context.ClearCookiesAsync(new() { Name = "consultation.af" });

            await form.Comment.FillAsync("typed with an expired token");
            var expired = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "this page has expired" });
            await Expect(expired).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await page.Locator("#respond-errors").GetByRole(AriaRole.Link, new() { Name = "Reload the page" }).ClickAsync();

            await Expect(form.Restored).ToBeVisibleAsync();
            await Expect(form.Comment).ToHaveValueAsync("typed with an expired token");
            await form.ExpectSavedAsync();
            await page.ReloadAsync();
            await Expect(form.Comment).ToHaveValueAsync("typed with an expired token");
            await Expect(form.Restored).ToBeHiddenAsync();
        });
    }

    [Fact]
    public async Task Answers_typed_offline_are_kept_on_the_device_and_saved_when_back()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("customs@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);
            // The questionnaire's own language is the respondent's choice, independent of the portal's.
            await form.Language.SelectOptionAsync("sr");
            await Expect(form.PageTitle("Psihoaktivne kontrolisane supstance")).ToBeVisibleAsync();
            await form.Language.SelectOptionAsync("");
            await Expect(form.PageTitle("Controlled psychoactive substances")).ToBeVisibleAsync();

            await page.Context.SetOfflineAsync(true);
            await form.Comment.FillAsync("typed in a tunnel");
            await Expect(form.NotSaved).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await test.ScreenshotAsync(page, "1-offline");

            // The tab is closed while offline; later the person opens the form again, online.
            await page.CloseAsync();
            await page.Context.SetOfflineAsync(false);
            var again = await page.Context.NewPageAsync();
            await again.GotoAsync(page.Url);
            var reopened = new RespondFormPage(again);

            await Expect(reopened.Restored).ToBeVisibleAsync();
            await Expect(reopened.Comment).ToHaveValueAsync("typed in a tunnel");
            await reopened.ExpectSavedAsync();
            await again.ReloadAsync();
            await Expect(reopened.Comment).ToHaveValueAsync("typed in a tunnel");
            await Expect(reopened.Restored).ToBeHiddenAsync();
        });
    }

    [Fact]
    public async Task Two_tabs_editing_at_once_are_shown_both_versions_and_choose_per_question()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var first = await test.NewPersonAsync("first-tab");
            var home = await (await LoginPage.OpenAsync(first)).SignInAsync("police@demo.local");
            var tab1 = await (await RespondListPage.OpenFromNavigationAsync(home, first)).OpenAsync(DemoData.DemoRoundTitle);
            var second = await first.Context.NewPageAsync();
            await second.GotoAsync(first.Url);
            var tab2 = new RespondFormPage(second);
            await Expect(tab2.Survey).ToBeVisibleAsync();

            await tab1.Comment.FillAsync("comment from the first tab");
            await tab1.ExpectSavedAsync();
            await tab2.RateAsync(Damage, 1);

            await Expect(tab2.Conflict).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await Expect(tab2.Conflict).ToContainTextAsync("comment from the first tab");
            // The rows and choices are the questionnaire's texts, not their codes.
            await Expect(tab2.Conflict).ToContainTextAsync("Harm to individuals");
            await Expect(tab2.Conflict).Not.ToContainTextAsync("DAMAGE");
            // Nothing can be typed into a copy that is about to be replaced until the respondent chooses.
            await Expect(tab2.Comment).Not.ToBeEditableAsync();
            await test.ScreenshotAsync(second, "conflict");
            // Keep the first tab's comment and this tab's rating.
            await tab2.Conflict.GetByRole(AriaRole.Radio, new() { Name = "comment from the first tab" }).CheckAsync();
            await tab2.Conflict.GetByRole(AriaRole.Button, new() { Name = "Keep my choice per question" }).ClickAsync();
            await tab2.ExpectSavedAsync();
            await Expect(tab2.Comment).ToBeEditableAsync();

            await first.ReloadAsync();
            await Expect(tab1.Comment).ToHaveValueAsync("comment from the first tab");
            await Expect(tab1.Rating(Damage, 1)).ToBeCheckedAsync();
            // No AssertNoBrowserErrors here: Chromium logs the expected 409 as a console error.
        });
    }

    [Fact]
    public async Task Server_refusal_of_an_answer_is_shown_at_that_question_on_its_page()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("respondent3@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);
            // A copy left on this device holds a value the form never offers (9 on a 1–5 scale), and the
            // respondent was on the last page: the browser checks only that page, the server checks everything.
            await form.LeaveUnsavedCopyAsync("""{ "DRUGS_indicators": { "RESOURCES": 9 }, "THB_indicators": { "DAMAGE": 5 } }""", 2);
            await page.ReloadAsync();
            await Expect(form.Restored).ToBeVisibleAsync();
            await Expect(form.PageTitle("High-tech crime")).ToBeVisibleAsync();

            await form.SubmitAsync();

            await Expect(form.Errors.Filter(new() { HasText = "Some answers need attention." })).ToBeVisibleAsync();
            await Expect(form.PageTitle("Controlled psychoactive substances")).ToBeVisibleAsync();
            await Expect(page.Locator("#respond-app").GetByText("\"9\" is not one of the offered choices.")).ToBeVisibleAsync();
            await Expect(form.Confirmation).ToBeHiddenAsync();
            await test.ScreenshotAsync(page, "error-at-question");
        });
    }

    [Fact]
    public async Task Questionnaire_list_and_form_have_no_serious_accessibility_violations()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("respondent2@demo.local");
            var list = await RespondListPage.OpenFromNavigationAsync(home, page);
            var report = new System.Text.StringBuilder();

            await AxeCheck.AppendSeriousViolationsAsync(page, report, "list");
            await list.OpenAsync(DemoData.DemoRoundTitle);
            await AxeCheck.AppendSeriousViolationsAsync(page, report, "form");

            Assert.True(report.Length == 0, "Accessibility violations:\n" + report);
        });
    }

    /// <summary>
    /// Answers over the size limit (Rounds:MaxAnswerBytes, 1 MiB by default) are refused with 413: the form names the
    /// answer to shorten — its question as the form titles it, and its page, since the template repeats the title on
    /// every page — and keeps everything typed on the device until it is short enough to save.
    /// </summary>
    [Fact]
    public async Task Answers_too_large_to_save_name_the_longest_answer_and_stay_on_the_device()
    {
        const string round = "Too long an answer";
        await using (var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            var astra = await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn, "SELECT id FROM organisations WHERE name = 'ASTRA'");
            var setup = await CoordinatorSetup.SignInAsync(app);
            var roundId = await setup.CreateRoundAsync(round, ["DRUGS", "THB"], [astra]);
            var questionnaireId = await setup.CreateQuestionnaireAsync(roundId);
            var draft = await Dapper.SqlMapper.QuerySingleAsync<(long Version, string SchemaJson, string BindingsJson)>(conn,
                "SELECT version, schema_json, bindings_json FROM questionnaire_versions WHERE questionnaire_id = @questionnaireId", new { questionnaireId });
            await setup.PublishAsync(questionnaireId, draft.SchemaJson, draft.BindingsJson, draft.Version);
            await setup.OpenRoundAsync(roundId);
        }
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("respondent@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(round);
            await Expect(form.PageTitle("Controlled psychoactive substances")).ToBeVisibleAsync();
            await form.RateAsync(Damage, 3);
            await form.ExpectSavedAsync();

            // 1,100,000 characters (and two quotes) as JSON: about 1,074 KB, over the 1,024 KB a save may send.
            var longText = new string('x', 1_100_000);
            await form.Comment.FillAsync(longText);

            const string longest = "Your longest answer is the one to \"Comment (optional)\" on the page \"Controlled psychoactive substances\" (about 1,074 KB).";
            var tooLarge = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "too large to save" });
            await Expect(tooLarge).ToHaveTextAsync("Your answers are too large to save (at most 1024 KB). Shorten the longest texts. " + longest, new() { Timeout = 15_000 });
            await Expect(form.Errors.Filter(new() { HasText = "too large to save" })).ToContainTextAsync(longest);
            await test.ScreenshotAsync(page, "1-too-large");

            // Nothing typed is lost: the device kept it, and a reload brings it back (and is told the same again).
            await page.ReloadAsync();
            await Expect(form.Restored).ToBeVisibleAsync();
            Assert.Equal(longText.Length, await form.Comment.EvaluateAsync<int>("e => e.value.length"));
            await Expect(form.Rating(Damage, 3)).ToBeCheckedAsync();
            await Expect(tooLarge).ToContainTextAsync(longest, new() { Timeout = 15_000 });

            // Shortened, it saves.
            await form.Comment.FillAsync("Shortened to the essentials.");
            await form.ExpectSavedAsync();
            await page.ReloadAsync();
            await Expect(form.Comment).ToHaveValueAsync("Shortened to the essentials.");
            await Expect(form.Restored).ToBeHiddenAsync();
            // No AssertNoBrowserErrors here: Chromium logs the expected 413 as a console error.
        });
    }
}
