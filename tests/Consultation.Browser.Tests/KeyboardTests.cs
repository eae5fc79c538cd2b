using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// Keyboard-only walk-throughs: no click, no fill — only Tab, Shift+Tab, Space, Enter, arrows and typed text.
/// At every stop the focused control must look different from when it is not focused (a visible focus
/// indicator, checked on computed styles — for SurveyJS and Bootstrap toggles, whose real input is visually
/// hidden, on the control they draw in its place).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class KeyboardTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private SqliteConnection Sql() => new($"Data Source={app.DatabasePath};Foreign Keys=true");

    [Fact]
    public async Task Respondent_with_macedonian_ui_answers_and_submits_by_keyboard_only()
    {
        await using (var conn = Sql())
            await conn.ExecuteAsync("UPDATE users SET culture = 'mk' WHERE email = 'respondent3@demo.local'");
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("respondent");
            var keys = new Keys(page);
            await page.GotoAsync("/Account/Login");

            await keys.TabToAsync("#Input_Email");
            await page.Keyboard.TypeAsync("respondent3@demo.local");
            await keys.TabToAsync("#Input_Password");
            await page.Keyboard.TypeAsync(DemoData.Password);
            await keys.EnterToNewPageAsync();
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "mk");

            await keys.TabToAsync("nav a[href='/Respond']");
            await keys.EnterToNewPageAsync();
            await keys.TabToAsync("main a[href^='/Respond/Form/']");
            await keys.EnterToNewPageAsync();

            // The questionnaire opens in the respondent's language: Macedonian page and question titles.
            var form = new RespondFormPage(page);
            await Expect(form.Survey).ToBeVisibleAsync();
            await Expect(form.PageTitle("Контролирани психоактивни супстанции")).ToBeVisibleAsync();
            await Expect(page.Locator("#respond-app")).ToContainTextAsync("Контролирани психоактивни супстанции: оценете ги петте индикатори");
            await Expect(page.Locator("#respond-app")).ToContainTextAsync("Колку лесно криминалците доаѓаат до она што им е потребно");
            await Expect(page.Locator("#survey-locale")).ToHaveValueAsync("mk");

            // The first row of the matrix: Tab reaches its radio group, Space picks, arrows move the choice.
            var firstRow = page.Locator("#respond-app input[type=radio][name$='_RESOURCES']");
            await keys.TabToAsync("#respond-app input[type=radio][name$='_RESOURCES']");
            await page.Keyboard.PressAsync("Space");
            await page.Keyboard.PressAsync("ArrowRight");
            await page.Keyboard.PressAsync("ArrowRight");
            await Expect(firstRow.Nth(2)).ToBeCheckedAsync();
            await keys.ExpectVisibleFocusAsync();
            // Shift+Tab leaves the group backwards, Tab comes back to the checked radio.
            await page.Keyboard.PressAsync("Shift+Tab");
            await keys.ExpectVisibleFocusAsync();
            await page.Keyboard.PressAsync("Tab");
            Assert.True(await firstRow.Nth(2).EvaluateAsync<bool>("el => el === document.activeElement"), "Tab returns to the checked radio");
            // "Saved at 14:30:05" in Macedonian.
            await Expect(page.Locator("#save-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\d\d:\d\d:\d\d$"), new() { Timeout = 10_000 });

            // Through the pages with the Next button ("Следно"), then submit with Enter.
            const string next = "#respond-app .sd-navigation__next-btn";
            await Expect(page.Locator(next)).ToHaveAttributeAsync("value", "Следно");
            for (var i = 0; i < 5 && await page.Locator(next).IsVisibleAsync(); i++)
            {
                await keys.TabToAsync(next);
                await page.Keyboard.PressAsync("Enter");
            }
            await Expect(form.PageTitle("Високотехнолошки криминал")).ToBeVisibleAsync();
            const string submit = "#respond-app .sd-navigation__complete-btn";
            await keys.TabToAsync(submit);
            await page.Keyboard.PressAsync("Enter");

            await Expect(page.Locator("#submitted-confirmation")).ToBeVisibleAsync();
            await Expect(page.Locator("#submitted-confirmation")).ToContainTextAsync("respondent3@demo.local");
            await test.ScreenshotAsync(page, "keyboard-submitted");
            test.AssertNoBrowserErrors();
        });
    }

    [Fact]
    public async Task Participant_joins_by_code_and_scores_by_keyboard_only()
    {
        const string round = "Keyboard workshop round";
        await RoundSeed.OpenRoundAsync(app, round, "DRUGS", "THB");
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var facilitator = await test.NewPersonAsync("facilitator");
            await (await LoginPage.OpenAsync(facilitator)).SignInAsync("facilitator@demo.local");
            var control = await (await CreateWorkshopPage.OpenAsync(facilitator)).CreateAsync(round, "Keyboard workshop");
            var code = (await control.JoinCode.InnerTextAsync()).Trim();
            await control.ClickAsync("Start the first exercise");

            var phone = await test.NewPersonAsync("participant", BrowserTest.Phone);
            var keys = new Keys(phone);
            await phone.GotoAsync("/join");
            await keys.TabToAsync("#enteredCode");
            await phone.Keyboard.TypeAsync(code.ToLowerInvariant());
            await keys.EnterToNewPageAsync();
            await keys.TabToAsync("#Input_DisplayName");
            await phone.Keyboard.TypeAsync("Keyboard Kim");
            await keys.TabToAsync("#Input_Category");
            await phone.Keyboard.PressAsync("ArrowDown");
            await keys.TabToAsync("main button[type=submit]");
            await phone.Keyboard.PressAsync("Enter");
            var join = new JoinPage(phone);
            await Expect(join.Status).ToHaveTextAsync("Connected");

            // PESTLE, collecting: the dimension is chosen with arrows, the factor typed and added with Enter.
            await keys.TabToAsync("[data-live=exercise] select");
            await phone.Keyboard.PressAsync("ArrowDown");
            await keys.TabToAsync("[data-live=exercise] input[name=text]");
            await phone.Keyboard.TypeAsync("Keyboard-only factor");
            await phone.Keyboard.PressAsync("Enter");
            await Expect(phone.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Keyboard-only factor" })).ToBeVisibleAsync();

            await Expect(control.Factors).ToHaveCountAsync(1);
            await control.ClickAsync("Start scoring");

            // Scoring: Tab into the impact scale, arrows to 3, Tab to the likelihood scale, arrows to 2.
            var card = phone.GetByTestId("score-item").Filter(new() { HasText = "Keyboard-only factor" });
            await Expect(card).ToBeVisibleAsync();
            await keys.TabToAsync("[data-testid=score-item] fieldset:nth-of-type(1) input[type=radio]");
            await phone.Keyboard.PressAsync("Space");
            await phone.Keyboard.PressAsync("ArrowRight");
            await phone.Keyboard.PressAsync("ArrowRight");
            await keys.ExpectVisibleFocusAsync();
            await keys.TabToAsync("[data-testid=score-item] fieldset:nth-of-type(2) input[type=radio]");
            await phone.Keyboard.PressAsync("Space");
            await phone.Keyboard.PressAsync("ArrowRight");
            await Expect(card.GetByRole(AriaRole.Status)).ToHaveTextAsync("✓ Saved");
            await Expect(card.GetByRole(AriaRole.Group, new() { Name = "Impact" }).GetByRole(AriaRole.Radio, new() { Name = "3", Exact = true })).ToBeCheckedAsync();
            await Expect(card.GetByRole(AriaRole.Group, new() { Name = "Likelihood" }).GetByRole(AriaRole.Radio, new() { Name = "2", Exact = true })).ToBeCheckedAsync();

            await using var conn = Sql();
            // Impact and likelihood of the one factor, as the server stored them.
            var score = await conn.QuerySingleAsync<(long Value, long? Value2)>(
                "SELECT s.value, s.value2 FROM scores s JOIN participants p ON p.id = s.participant_id WHERE p.display_name = 'Keyboard Kim'");
            Assert.Equal((3L, (long?)2L), score);
            await test.ScreenshotAsync(phone, "keyboard-scored");
            test.AssertNoBrowserErrors();
        });
    }

    [Fact]
    public async Task The_language_menu_is_browsed_with_the_arrows_and_switches_on_enter()
    {
        await using var test = browser.Start(app);

        await test.RunAsync(async () =>
        {
            var page = await test.NewPersonAsync("visitor");
            var keys = new Keys(page);
            await page.GotoAsync("/Account/Login");
            await keys.TabToAsync("#culture-select");

            // Once the first arrow reloaded the page in the next language (and saved it to the profile).
            await page.Keyboard.PressAsync("ArrowDown");
            await page.Keyboard.PressAsync("ArrowDown");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
            await Expect(page.Locator("#culture-select")).ToBeFocusedAsync();
            var chosen = await page.Locator("#culture-select").InputValueAsync();
            Assert.NotEqual("en", chosen);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Change language" })).ToBeVisibleAsync();

            await page.Keyboard.PressAsync("Enter"); // back to the same address, in the chosen language
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", chosen);

            // Picked with a pointer, it still switches at once (once the new page's scripts are in).
            await page.WaitForLoadStateAsync(LoadState.Load); // not WaitForFunction: its polling evals, which the CSP refuses
            await page.Locator("#culture-select").DispatchEventAsync("pointerdown");
            await page.Locator("#culture-select").SelectOptionAsync("sq");
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "sq");
            test.AssertNoBrowserErrors();
        });
    }

    /// <summary>Moves focus with Tab only, checking the focus indicator at every stop.</summary>
    private sealed class Keys(IPage page)
    {
        /// <summary>Enter on a link or in a form that leads to another address; waits for that page.</summary>
        public async Task EnterToNewPageAsync()
        {
            var before = page.Url;
            await page.Keyboard.PressAsync("Enter");
            await page.WaitForURLAsync(url => url != before);
            await page.WaitForLoadStateAsync(LoadState.Load);
        }

        /// <summary>Presses Tab until the focused element matches <paramref name="selector"/>; fails after <paramref name="max"/> stops.</summary>
        public async Task TabToAsync(string selector, int max = 80)
        {
            var stops = new List<string>();
            for (var i = 0; i < max; i++)
            {
                await page.Keyboard.PressAsync("Tab");
                var at = await page.EvaluateAsync<string>("""
                    s => { const e = document.activeElement;
                           return !e || e === document.body ? "" : (e.matches(s) ? "=" : "") + e.outerHTML.slice(0, 120); }
                    """, selector);
                // Past the last control focus leaves the document for a moment (the browser's own UI).
                if (at.Length == 0) { stops.Add("(document)"); continue; }
                stops.Add(at);
                await ExpectVisibleFocusAsync();
                if (at[0] == '=') return;
            }
            Assert.Fail($"{max} presses of Tab did not reach {selector} on {page.Url}; stops:\n" + string.Join("\n", stops));
        }

        /// <summary>
        /// The focused element, or the control drawn for a visually hidden input (its next sibling, its label),
        /// changes outline, box shadow, border or background when focus leaves it.
        /// </summary>
        public async Task ExpectVisibleFocusAsync()
        {
            var problem = await page.EvaluateAsync<string?>("""
                () => {
                  const el = document.activeElement;
                  if (!el || el === document.body) return "focus is on the page body";
                  const r = el.getBoundingClientRect();
                  const candidates = [el, el.nextElementSibling, el.closest("label"), el.labels && el.labels[0]].filter(Boolean);
                  const look = e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor, s.backgroundColor].join("|"); };
                  // Styles are compared at rest: a running transition would report a value between the two states.
                  const saved = candidates.map(c => c.style.getPropertyValue("transition"));
                  candidates.forEach(c => c.style.setProperty("transition", "none", "important"));
                  const focused = candidates.map(look);
                  const visible = candidates.some(c => { const b = c.getBoundingClientRect(); return b.width > 2 && b.height > 2; });
                  el.blur();
                  const blurred = candidates.map(look);
                  el.focus();
                  candidates.forEach((c, i) => saved[i] ? c.style.setProperty("transition", saved[i]) : c.style.removeProperty("transition"));
                  if (!visible) return "the focused element and its drawn control are invisible: " + el.outerHTML.slice(0, 160);
                  if (focused.every((f, i) => f === blurred[i])) return "no visible focus indicator on " + el.outerHTML.slice(0, 160) + " — " + focused[0];
                  return null;
                }
                """);
            Assert.True(problem is null, problem);
        }
    }
}
