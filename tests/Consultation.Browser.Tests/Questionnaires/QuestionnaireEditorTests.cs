using System.Text.Json;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Core.Localization;
using Consultation.Browser.Tests.PageObjects;
using Dapper;
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

    /// <summary>
    /// On a Serbian or Macedonian page the preview starts in that language, as the respondent's form does, and JSON it
    /// cannot read is reported in that language with its line and position (not the browser's English JSON.parse text).
    /// </summary>
    [Theory]
    [InlineData("sr-Latn", "sr", "ocenite pet indikatora", "Pregled ne može da pročita JSON: Upitnik nije ispravan JSON (red 2, pozicija 12).")]
    [InlineData("mk", "mk", "оценете ги петте индикатори", "Прегледот не може да го прочита JSON: Прашалникот не е валиден JSON (ред 2, позиција 12).")]
    public async Task Preview_starts_in_the_pages_language_and_reports_broken_json_in_it(string culture, string surveyLocale, string title, string error)
    {
        var setup = await CoordinatorSetup.SignInAsync(app);
        var questionnaireId = await setup.CreateQuestionnaireAsync(await setup.CreateRoundAsync($"Preview language {culture}", ["THB"]));
        await using var test = browser.Start(app, "preview-" + culture);

        try
        {
            await test.RunAsync(async () =>
            {
                var coordinator = await test.NewPersonAsync("coordinator");
                await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
                await AccessibilityTests.SwitchCultureAsync(coordinator, culture);
                await coordinator.GotoAsync($"/Questionnaires/Edit/{questionnaireId}");
                var preview = coordinator.Locator("#survey-preview");
                var status = coordinator.Locator("#preview-status");

                await Expect(coordinator.Locator("#preview-locale")).ToHaveValueAsync(surveyLocale);
                await Expect(preview.GetByText(title).First).ToBeVisibleAsync();

                await coordinator.Locator("#schema-json").FillAsync("{\n  \"title\": broken\n}");
                await Expect(status).ToContainTextAsync(error);
                await Expect(status).Not.ToContainTextAsync("Unexpected");
                await Expect(status).Not.ToContainTextAsync("position");
                await Expect(preview.GetByText(title).First).ToBeVisibleAsync(); // the last good preview stays
                await test.ScreenshotAsync(coordinator, "broken-json-in-" + culture);
                test.AssertNoBrowserErrors();
            });
        }
        finally
        {
            // The switch saved the language in the coordinator's profile; the other tests read English.
            await using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={app.DatabasePath};Foreign Keys=true");
            await conn.ExecuteAsync("UPDATE users SET culture = NULL");
        }
    }

    /// <summary>
    /// The preview shows what saving stores: the markup an author types into an html question is rendered only after
    /// the server's sanitizer (the one saving uses) cleaned it. The page's CSP is bypassed here, so the sanitizer
    /// alone has to keep the script from running.
    /// </summary>
    [Fact]
    public async Task Preview_renders_an_html_question_as_saving_would_store_it_and_runs_none_of_its_script()
    {
        var setup = await CoordinatorSetup.SignInAsync(app);
        var questionnaireId = await setup.CreateQuestionnaireAsync(await setup.CreateRoundAsync("Preview of markup", ["THB"]));
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var coordinator = await test.NewPersonAsync("coordinator", bypassCsp: true);
            var dialogs = new List<string>();
            coordinator.Dialog += (_, dialog) => { lock (dialogs) dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            var editor = await QuestionnaireEditorPage.OpenAsync(coordinator, questionnaireId);
            await Expect(editor.PreviewMatrix("Trafficking in human beings: rate the five indicators")).ToBeVisibleAsync();

            await editor.Source.FillAsync("""
                { "pages": [ { "name": "p1", "elements": [
                  { "type": "html", "name": "intro",
                    "html": "<p>Read <b>this</b> first.</p><img src=x onerror=\"window.previewXss='img';alert('img')\"><script>window.previewXss='script';alert('script')</script><a href=\"javascript:alert('link')\">a link</a>" },
                  { "type": "comment", "name": "note", "title": "Anything else?" } ] } ] }
                """);

            var intro = editor.PreviewHtml("intro");
            await Expect(intro).ToContainTextAsync("Read this first.");
            await Expect(editor.Preview.GetByText("Anything else?")).ToBeVisibleAsync();
            // The img's failed load would fire onerror at once; wait until nothing is loading any more.
            await coordinator.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.Null(await coordinator.EvaluateAsync<string?>("() => window.previewXss ?? null"));
            lock (dialogs) Assert.Empty(dialogs);
            var markup = await intro.InnerHTMLAsync();
            Assert.Contains("<p>Read <b>this</b> first.</p>", markup, StringComparison.Ordinal);
            Assert.Contains("<a rel=\"noopener noreferrer\">a link</a>", markup, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", markup, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("onerror", markup, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<script", markup, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("javascript:", markup, StringComparison.OrdinalIgnoreCase);
            await Expect(editor.PreviewStatus).ToBeEmptyAsync();
            // The textarea keeps what the author typed; only the preview is cleaned.
            Assert.Contains("onerror", await editor.Source.InputValueAsync(), StringComparison.Ordinal);
            await test.ScreenshotAsync(coordinator, "sanitized-preview");
            test.AssertNoBrowserErrors();

            // A property twice: the browser would take the last one, the server refuses to guess and says so; the last
            // good preview stays. (Chromium logs that 400 as a console error, hence no AssertNoBrowserErrors after it.)
            await editor.Source.FillAsync("""
                { "pages": [ { "name": "p1", "elements": [
                  { "type": "html", "name": "intro", "html": "<p>Changed.</p>", "html": "<img src=x onerror=\"window.previewXss='twice'\">" } ] } ] }
                """);
            await Expect(editor.PreviewStatus).ToContainTextAsync("The preview cannot read the JSON: \"html\" is given twice in the same object: keep one.");
            await Expect(intro).ToContainTextAsync("Read this first.");
            await coordinator.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.Null(await coordinator.EvaluateAsync<string?>("() => window.previewXss ?? null"));
            Assert.DoesNotContain("<img", await editor.Preview.InnerHTMLAsync(), StringComparison.OrdinalIgnoreCase);
        });
    }

    /// <summary>
    /// SurveyJS's own words (buttons, validation messages) exist for every portal language: survey-core ships
    /// Serbian and Macedonian; Albanian and Cyrillic Serbian come from the portal's survey-locales.js, the latter
    /// exactly as SerbianScript transliterates survey-core's Serbian.
    /// </summary>
    [Fact]
    public async Task A_pasted_definition_over_the_limit_is_kept_whole_and_called_too_large()
    {
        var setup = await CoordinatorSetup.SignInAsync(app);
        var questionnaireId = await setup.CreateQuestionnaireAsync(await setup.CreateRoundAsync("Too large a definition", ["THB"]));
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var coordinator = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            var editor = await QuestionnaireEditorPage.OpenAsync(coordinator, questionnaireId);
            // Once cut silently at 1,000,000 characters by the textarea's maxlength, then "not valid JSON" at the cut.
            var big = "{\"title\":\"" + new string('x', 1_100_000) + "\",\"pages\":[]}";
            await editor.Source.FillAsync(big);
            Assert.Equal(big.Length, await editor.Source.EvaluateAsync<int>("e => e.value.length"));

            await coordinator.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();

            await Expect(coordinator.Locator("#schema-errors")).ToContainTextAsync("The questionnaire is too large.");
            Assert.Equal(big.Length, await editor.Source.EvaluateAsync<int>("e => e.value.length"));
        });
    }

    [Fact]
    public async Task SurveyJS_has_its_own_words_in_every_portal_language()
    {
        var setup = await CoordinatorSetup.SignInAsync(app);
        var questionnaireId = await setup.CreateQuestionnaireAsync(await setup.CreateRoundAsync("SurveyJS locales", ["THB"]));
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var coordinator = await test.NewPersonAsync("coordinator");
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            await QuestionnaireEditorPage.OpenAsync(coordinator, questionnaireId);
            var json = await coordinator.EvaluateAsync<string>("JSON.stringify(Survey.surveyLocalization.locales)");
            var locales = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, JsonElement>>>(json)!;
            string Text(string locale, string key) => locales[locale][key].ValueKind == JsonValueKind.String ? locales[locale][key].GetString()! : "";

            var english = locales["en"].Where(e => e.Value.ValueKind == JsonValueKind.String).Select(e => e.Key).ToList();
            Assert.True(english.Count > 100, $"only {english.Count} English strings");
            foreach (var locale in Languages.SurveyLocales.Where(l => l != "default"))
            {
                Assert.True(locales.ContainsKey(locale), $"SurveyJS has no '{locale}' locale");
                var missing = english.Where(k => Text(locale, k).Length == 0).ToList();
                Assert.True(missing.Count == 0, $"'{locale}' lacks: {string.Join(", ", missing)}");
                // Translated, not English copies (a few are the same in every language: "OK", "min", "{rowTitle}").
                var copied = english.Count(k => Text(locale, k) == Text("en", k));
                Assert.True(copied <= 4, $"'{locale}' repeats {copied} English strings");
            }
            foreach (var key in english)
                Assert.Equal(SerbianScript.ToCyrillic(Text("sr", key)), Text("sr-Cyrl", key));
            Assert.Equal("Para", Text("sq", "pageNextText"));
            Assert.Equal("Заврши", Text("sr-Cyrl", "completeText"));
            test.AssertNoBrowserErrors();
        });
    }
}
