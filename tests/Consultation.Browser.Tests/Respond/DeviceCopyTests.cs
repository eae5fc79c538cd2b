using System.Text.RegularExpressions;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.Respond;

/// <summary>The portal with the closing-time pass held off, so a round can sit past its deadline while still marked open.</summary>
public sealed class DeviceCopyPortal : BrowserPortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Rounds:AutoCloseIntervalSeconds", "3600")];
}

/// <summary>
/// What the form keeps in the browser's storage. NGOs share computers: answers the server has acknowledged are not
/// left on the device, nor after signing out — but nothing typed is ever lost: answers the server never acknowledged
/// stay until they are saved or the respondent discards them, and when the round closed before they could be saved
/// they are shown, to be copied.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DeviceCopyTests(BrowserFixture browser, DeviceCopyPortal app) : IClassFixture<DeviceCopyPortal>
{
    private const string Damage = "Harm to individuals";
    private const string Unsaved = "Not saved: the round no longer accepts changes. What you typed after the last save was not submitted; it is kept on this device only, below.";

    private static Task<string[]> ResponseCopyKeysAsync(IPage page) =>
        page.EvaluateAsync<string[]>("() => Object.keys(localStorage).filter(k => k.startsWith('consultation:response:')).sort()");

    private static Task<string?> StoredAsync(IPage page, string key) => page.EvaluateAsync<string?>("k => localStorage.getItem(k)", key);

    [Fact]
    public async Task Saved_answers_leave_no_copy_on_the_device_and_signing_out_removes_copies_marked_saved_but_keeps_unsaved_ones()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("respondent@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);
            var key = await page.EvaluateAsync<string>("() => document.getElementById('respond-app').dataset.storageKey");

            // Typing keeps a copy until the server has it; once saved, none is left.
            await form.Comment.FillAsync("names of victims, in confidence");
            Assert.Contains("names of victims", await form.LocalCopyAsync() ?? "", StringComparison.Ordinal);
            await form.ExpectSavedAsync();
            Assert.Null(await form.LocalCopyAsync());

            // Copies an earlier version of the form left (marked saved), and one never saved, of other questionnaires.
            var saved = key + "1";
            var notSaved = key + "2";
            await page.EvaluateAsync("""
                ([saved, notSaved]) => {
                  localStorage.setItem(saved, JSON.stringify({ data: { note: "saved elsewhere" }, page: 0, baseRevision: 3, saved: true, at: Date.now() }));
                  localStorage.setItem(notSaved, JSON.stringify({ data: { note: "never saved" }, page: 0, baseRevision: 3, saved: false, at: Date.now() }));
                }
                """, new[] { saved, notSaved });

            // Signing out right after typing: the form saves first, so no copy of it is left behind.
            await form.Comment.FillAsync("typed just before signing out");
            var login = await new Navbar(page).SignOutAsync();
            Assert.Equal([notSaved], await ResponseCopyKeysAsync(page));
            Assert.Contains("never saved", await StoredAsync(page, notSaved) ?? "", StringComparison.Ordinal);

            home = await login.SignInAsync("respondent@demo.local");
            form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);
            await Expect(form.Comment).ToHaveValueAsync("typed just before signing out");
            await Expect(form.Restored).ToBeHiddenAsync();
            Assert.Null(await form.LocalCopyAsync());
            test.AssertNoBrowserErrors();
        });
    }

    [Fact]
    public async Task Answers_the_server_never_acknowledged_stay_on_the_device_after_signing_out_and_are_saved_at_the_next_sign_in()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("respondent2@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);

            // The saves do not reach the server (a network that drops them); signing out still works.
            await page.RouteAsync("**/Respond/Form/*/save", route => route.AbortAsync());
            await form.Comment.FillAsync("typed while saves were failing");
            await Expect(form.NotSaved).ToBeVisibleAsync(new() { Timeout = 10_000 });
            var login = await new Navbar(page).SignOutAsync();
            var kept = Assert.Single(await ResponseCopyKeysAsync(page));
            Assert.Contains("typed while saves were failing", await StoredAsync(page, kept) ?? "", StringComparison.Ordinal);

            await page.UnrouteAllAsync();
            home = await login.SignInAsync("respondent2@demo.local");
            form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(DemoData.DemoRoundTitle);
            await Expect(form.Restored).ToBeVisibleAsync();
            await Expect(form.Comment).ToHaveValueAsync("typed while saves were failing");
            await form.ExpectSavedAsync();
            Assert.Null(await form.LocalCopyAsync());
        });
    }

    /// <summary>An open round with the five-indicator questionnaire, to the organisation named <paramref name="organisation"/>; returns the round's id.</summary>
    private async Task<long> OpenRoundAsync(string title, string organisation)
    {
        await using var conn = new SqliteConnection($"Data Source={app.DatabasePath}");
        var org = await conn.ExecuteScalarAsync<long>("SELECT id FROM organisations WHERE name = @organisation", new { organisation });
        var setup = await CoordinatorSetup.SignInAsync(app);
        var roundId = await setup.CreateRoundAsync(title, ["DRUGS", "THB"], [org]);
        var questionnaireId = await setup.CreateQuestionnaireAsync(roundId);
        var draft = await conn.QuerySingleAsync<(long Version, string SchemaJson, string BindingsJson)>(
            "SELECT version, schema_json, bindings_json FROM questionnaire_versions WHERE questionnaire_id = @questionnaireId", new { questionnaireId });
        await setup.PublishAsync(questionnaireId, draft.SchemaJson, draft.BindingsJson, draft.Version);
        await setup.OpenRoundAsync(roundId);
        return roundId;
    }

    private async Task CloseRoundAsync(long roundId) => await (await CoordinatorSetup.SignInAsync(app)).CloseRoundAsync(roundId);

    [Fact]
    public async Task Text_typed_after_the_round_closed_is_shown_apart_as_not_saved_to_copy_until_the_respondent_removes_it()
    {
        const string round = "Closes while the respondent types";
        var roundId = await OpenRoundAsync(round, "ASTRA");
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync("respondent@demo.local");
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(round);
            await form.Comment.FillAsync("saved before the round closed");
            await form.ExpectSavedAsync();

            await CloseRoundAsync(roundId);
            await form.Comment.FillAsync("typed after the round closed\nsecond line");

            // The page says what happened to the text: not saved, not submitted, on this device only.
            await Expect(form.Errors).ToHaveTextAsync(Unsaved, new() { Timeout = 10_000 });
            await ExpectShownApartAsync(form, "typed after the round closed\nsecond line");
            await Expect(form.Comment).ToHaveValueAsync("saved before the round closed");
            await Expect(form.Comment).Not.ToBeEditableAsync();
            await test.ScreenshotAsync(page, "1-refused");

            // After a reload: the form shows what the server holds, the text typed later is still shown apart.
            await page.ReloadAsync();
            await Expect(form.ClosedNote).ToBeVisibleAsync();
            await Expect(form.Comment).ToHaveValueAsync("saved before the round closed");
            await ExpectShownApartAsync(form, "typed after the round closed\nsecond line");
            await test.ScreenshotAsync(page, "2-after-reload");
            var report = new System.Text.StringBuilder();
            await AxeCheck.AppendSeriousViolationsAsync(page, report, "not-saved panel");
            Assert.True(report.Length == 0, "Accessibility violations:\n" + report);

            await form.UnsavedCopy.GetByRole(AriaRole.Button, new() { Name = "Remove this copy from this device" }).ClickAsync();
            await Expect(form.UnsavedCopy).ToBeHiddenAsync();
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "The unsaved copy was removed from this device." })).ToBeVisibleAsync();
            Assert.Null(await form.LocalCopyAsync());
            await page.ReloadAsync();
            await Expect(form.Comment).ToHaveValueAsync("saved before the round closed");
            await Expect(form.UnsavedCopy).ToBeHiddenAsync();
        });
    }

    /// <summary>
    /// Nothing was saved yet when the round closed: at its deadline, or by the coordinator (the save is refused, 409).
    /// Either way the questionnaire's page still shows, after a reload too, with what this device holds.
    /// </summary>
    [Theory]
    [InlineData("deadline", "respondent3@demo.local")]
    [InlineData("coordinator", "share@demo.local")]
    public async Task Answers_typed_when_the_round_closed_before_a_first_save_are_shown_as_not_saved(string closedBy, string email)
    {
        var round = $"Closed by the {closedBy} before the first save";
        var organisation = closedBy == "deadline" ? "Group 484" : "Share Foundation";
        var roundId = await OpenRoundAsync(round, organisation);
        await using var test = browser.Start(app, closedBy);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var home = await (await LoginPage.OpenAsync(page)).SignInAsync(email);
            var form = await (await RespondListPage.OpenFromNavigationAsync(home, page)).OpenAsync(round);
            if (closedBy == "deadline")
            {
                // The closing time passed a moment ago; the background pass has not marked the round closed yet.
                await using var conn = new SqliteConnection($"Data Source={app.DatabasePath}");
                var now = DateTimeOffset.UtcNow;
                await conn.ExecuteAsync("UPDATE rounds SET opens_at = @opened, closes_at = @closed WHERE id = @roundId",
                    new { opened = DapperSetup.Format(now.AddDays(-7)), closed = DapperSetup.Format(now.AddMinutes(-1)), roundId });
            }
            else
            {
                await CloseRoundAsync(roundId);
            }

            await form.RateAsync(Damage, 4);
            await form.Comment.FillAsync("never reached the server");
            await Expect(form.Errors).ToHaveTextAsync(Unsaved, new() { Timeout = 10_000 });
            await ExpectShownApartAsync(form, "never reached the server");
            await Expect(form.UnsavedCopy.GetByLabel("Controlled psychoactive substances: rate the five indicators")).ToHaveValueAsync(new Regex($"^{Damage}.*: 4$"));
            await test.ScreenshotAsync(page, "refused");

            // The page of a closed round shows no form to someone who never saved an answer; what this device holds shows.
            await page.ReloadAsync();
            await Expect(page.GetByText("The round is closed and you did not answer this questionnaire.")).ToBeVisibleAsync();
            await ExpectShownApartAsync(form, "never reached the server");
            await Expect(form.UnsavedCopy.GetByLabel("Controlled psychoactive substances: rate the five indicators")).ToHaveValueAsync(new Regex($"^{Damage}.*: 4$"));
            await test.ScreenshotAsync(page, "closed-page");
        });
    }

    /// <summary>The panel shows the comment under its title as on the form, as read-only text, and the copy is still on the device.</summary>
    private static async Task ExpectShownApartAsync(RespondFormPage form, string text)
    {
        await Expect(form.UnsavedCopy).ToBeVisibleAsync();
        await Expect(form.UnsavedCopy.GetByRole(AriaRole.Heading, new() { Name = "Controlled psychoactive substances" })).ToBeVisibleAsync();
        var shown = form.UnsavedCopy.GetByLabel("Comment (optional)");
        await Expect(shown).ToHaveValueAsync(text);
        await Expect(shown).Not.ToBeEditableAsync();
        Assert.Contains("\"saved\":false", await form.LocalCopyAsync() ?? "", StringComparison.Ordinal);
    }
}
