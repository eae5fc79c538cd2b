using System.Text.RegularExpressions;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Dapper;
using Microsoft.Data.Sqlite;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.Questionnaires;

/// <summary>
/// The questionnaire editor keeps what a coordinator types on their device until the server has it: a session that
/// ended before "Save" (signed out in another tab, the 8-hour limit) sends the save to the sign-in page, and after
/// signing in the text is back in the editor. Text typed to a version that was saved again since does not overwrite
/// the saved one: it is shown apart, to copy, until the coordinator removes it.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EditorDeviceCopyTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private const string Title = "Trafficking in human beings: rate the five indicators";

    private async Task<(long Version, string SchemaJson, string BindingsJson)> LatestAsync(long questionnaireId)
    {
        await using var conn = new SqliteConnection($"Data Source={app.DatabasePath}");
        return await conn.QuerySingleAsync<(long, string, string)>(
            "SELECT version, schema_json, bindings_json FROM questionnaire_versions WHERE questionnaire_id = @questionnaireId ORDER BY version DESC LIMIT 1",
            new { questionnaireId });
    }

    [Fact]
    public async Task Text_typed_before_the_session_ended_is_back_in_the_editor_after_signing_in_again_and_saving_it_leaves_no_copy()
    {
        var setup = await CoordinatorSetup.SignInAsync(app);
        var questionnaireId = await setup.CreateQuestionnaireAsync(await setup.CreateRoundAsync("Session ends while editing", ["THB"]));
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(page)).SignInAsync("coordinator@demo.local");
            var editor = await QuestionnaireEditorPage.OpenAsync(page, questionnaireId);
            await Expect(editor.PreviewMatrix(Title)).ToBeVisibleAsync();
            await editor.ReplaceInSourceAsync(Title, "Typed before the session ended");

            // The coordinator signs out in another tab; this tab does not know.
            var otherTab = await page.Context.NewPageAsync();
            await otherTab.GotoAsync("/");
            await new Navbar(otherTab).SignOutAsync();
            await otherTab.CloseAsync();

            await editor.SaveDraftButton.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/Account/Login\\?ReturnUrl=", RegexOptions.IgnoreCase));
            await new LoginPage(page).SignInAndReturnAsync("coordinator@demo.local");

            await Expect(page).ToHaveURLAsync(new Regex($"/Questionnaires/Edit/{questionnaireId}$"));
            await Expect(editor.Notice).ToHaveTextAsync("Your unsaved changes from this device were restored.");
            await Expect(editor.Source).ToHaveValueAsync(new Regex("Typed before the session ended"));
            await Expect(editor.PreviewMatrix("Typed before the session ended")).ToBeVisibleAsync();
            await Expect(editor.UnsavedCopy).ToBeHiddenAsync();
            Assert.Single(await editor.DeviceCopyKeysAsync());
            await test.ScreenshotAsync(page, "restored-after-sign-in");

            // Saved now: the server has the text, so the device keeps no copy of it, after a reload too.
            await editor.SaveDraftButton.ClickAsync();
            await Expect(page.GetByText("Draft version 1 saved.")).ToBeVisibleAsync();
            Assert.Contains("Typed before the session ended", (await LatestAsync(questionnaireId)).SchemaJson, StringComparison.Ordinal);
            Assert.Empty(await editor.DeviceCopyKeysAsync());
            await Expect(editor.Notice).ToBeHiddenAsync();
            await page.ReloadAsync();
            await Expect(editor.Source).ToHaveValueAsync(new Regex("Typed before the session ended"));
            await Expect(editor.Notice).ToBeHiddenAsync();
            Assert.Empty(await editor.DeviceCopyKeysAsync());
            test.AssertNoBrowserErrors();
        });
    }

    [Fact]
    public async Task Text_typed_to_a_version_saved_again_since_is_shown_apart_to_copy_until_removed_and_not_put_over_the_saved_text()
    {
        var setup = await CoordinatorSetup.SignInAsync(app);
        var questionnaireId = await setup.CreateQuestionnaireAsync(await setup.CreateRoundAsync("Saved elsewhere meanwhile", ["THB"]));
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(page)).SignInAsync("coordinator@demo.local");
            var editor = await QuestionnaireEditorPage.OpenAsync(page, questionnaireId);
            await editor.ReplaceInSourceAsync(Title, "Typed in this tab");

            // Meanwhile the draft is saved again elsewhere (another tab, another coordinator).
            var latest = await LatestAsync(questionnaireId);
            await setup.SaveDraftAsync(questionnaireId, latest.SchemaJson.Replace(Title, "Saved elsewhere", StringComparison.Ordinal), latest.BindingsJson, latest.Version);

            await page.ReloadAsync();
            await Expect(editor.Source).ToHaveValueAsync(new Regex("Saved elsewhere"));
            await Expect(editor.Notice).ToBeHiddenAsync();
            await Expect(editor.UnsavedCopy).ToBeVisibleAsync();
            var copy = editor.UnsavedCopy.GetByLabel("SurveyJS JSON typed on this device (to version 1)", new() { Exact = true });
            await Expect(copy).ToHaveValueAsync(new Regex("Typed in this tab"));
            await Expect(copy).Not.ToBeEditableAsync();
            await test.ScreenshotAsync(page, "shown-apart");
            var report = new System.Text.StringBuilder();
            await AxeCheck.AppendSeriousViolationsAsync(page, report, "editor's not-saved panel");
            Assert.True(report.Length == 0, "Accessibility violations:\n" + report);

            // Typing in the editor now is kept apart from it (a copy of its own, typed to the new version).
            await editor.ReplaceInSourceAsync("Saved elsewhere", "Merged in the editor");
            Assert.Equal(2, (await editor.DeviceCopyKeysAsync()).Length);
            await page.ReloadAsync();
            await Expect(editor.Notice).ToHaveTextAsync("Your unsaved changes from this device were restored.");
            await Expect(editor.Source).ToHaveValueAsync(new Regex("Merged in the editor"));
            await Expect(copy).ToHaveValueAsync(new Regex("Typed in this tab"));

            await editor.RemoveUnsavedCopyButton.ClickAsync();
            await Expect(editor.UnsavedCopy).ToBeHiddenAsync();
            await Expect(editor.Notice).ToHaveTextAsync("The unsaved copy was removed from this device.");
            Assert.Single(await editor.DeviceCopyKeysAsync());
            await page.ReloadAsync();
            await Expect(editor.UnsavedCopy).ToBeHiddenAsync();
            await Expect(editor.Source).ToHaveValueAsync(new Regex("Merged in the editor"));
            test.AssertNoBrowserErrors();
        });
    }
}
