using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Respond</c>: the questionnaires open to the respondent's organisation.</summary>
public sealed class RespondListPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Name = "Your questionnaires", Level = 1 });

    /// <summary>From the home page, through the main navigation (collapsed on a phone).</summary>
    public static async Task<RespondListPage> OpenFromNavigationAsync(HomePage home, IPage page)
    {
        await home.Navbar.OpenIfCollapsedAsync();
        await home.Navbar.Link("Your questionnaires").ClickAsync();
        var list = new RespondListPage(page);
        await Expect(list.Heading).ToBeVisibleAsync();
        return list;
    }

    /// <summary>The list entry of a questionnaire in the round titled <paramref name="round"/>.</summary>
    public ILocator Item(string round) => page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = round });

    public async Task<RespondFormPage> OpenAsync(string round)
    {
        await Item(round).GetByRole(AriaRole.Link).ClickAsync();
        var form = new RespondFormPage(page);
        await Expect(form.Survey).ToBeVisibleAsync();
        return form;
    }
}

/// <summary><c>/Respond/Form/{id}</c>: the SurveyJS questionnaire with autosave, conflicts and submission.</summary>
public sealed partial class RespondFormPage(IPage page)
{
    public ILocator Survey => page.Locator("#respond-app .sd-root-modern");
    public ILocator SavedAt => page.GetByRole(AriaRole.Status).Filter(new() { HasTextRegex = SavedAtText() });
    public ILocator NotSaved => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Not saved — retrying" });
    public ILocator Restored => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "had not reached the server were restored" });
    public ILocator Confirmation => page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Submitted: revision" });
    public ILocator Errors => page.GetByRole(AriaRole.Alert);
    public ILocator Conflict => page.GetByRole(AriaRole.Region, new() { Name = "Two versions of your answers" });
    public ILocator Comment => page.Locator("#respond-app").GetByLabel("Comment (optional)");
    public ILocator Language => page.GetByLabel("Questionnaire language");
    public ILocator ClosedNote => page.GetByRole(AriaRole.Note).Filter(new() { HasText = "The round is closed." });

    /// <summary>What this device typed that the server never acknowledged, shown when the form can no longer change.</summary>
    public ILocator UnsavedCopy => page.GetByRole(AriaRole.Region, new() { Name = "Not saved: what you typed on this device after the last save" });

    /// <summary>This form's copy of the answers in the browser's storage, or null when the device keeps none.</summary>
    public Task<string?> LocalCopyAsync() =>
        page.EvaluateAsync<string?>("() => localStorage.getItem(document.getElementById('respond-app').dataset.storageKey)");

    [GeneratedRegex(@"^Saved at \d\d:\d\d:\d\d$")]
    private static partial Regex SavedAtText();

    /// <summary>The title of the page the survey shows (a crime area in the five-indicator template).</summary>
    public ILocator PageTitle(string title) => page.Locator("#respond-app").GetByText(title, new() { Exact = true });

    /// <summary>
    /// A rating in the indicator matrix: the row whose text starts with <paramref name="rowStart"/>, column <paramref name="value"/>.
    /// SurveyJS draws its own circles over visually hidden radio buttons, so the click goes to the radio itself.
    /// </summary>
    public ILocator Rating(string rowStart, int value) =>
        page.GetByRole(AriaRole.Radio, new() { NameRegex = new Regex($"^row {Regex.Escape(rowStart)}.*, column {value}$") });

    public Task RateAsync(string rowStart, int value) => Rating(rowStart, value).CheckAsync(new() { Force = true });

    public ILocator Choice(string text) => page.Locator("#respond-app").GetByRole(AriaRole.Radio, new() { Name = text, Exact = true });

    public Task NextAsync() => page.Locator("#respond-app").GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();

    public Task SubmitAsync() => page.Locator("#respond-app").GetByRole(AriaRole.Button, new() { NameRegex = SubmitText() }).ClickAsync();

    /// <summary>Goes through the remaining pages (Next) to the last one and submits there.</summary>
    public async Task SubmitFromLastPageAsync()
    {
        var submit = page.Locator("#respond-app").GetByRole(AriaRole.Button, new() { NameRegex = SubmitText() });
        for (var i = 0; i < 20 && !await submit.IsVisibleAsync(); i++) await NextAsync();
        await submit.ClickAsync();
    }

    [GeneratedRegex("^Submit( amendment)?$")]
    private static partial Regex SubmitText();

    /// <summary>
    /// Leaves answers in this browser's storage as if typed earlier on this device and never saved (the tab was
    /// closed offline), based on the revision the page was loaded with.
    /// </summary>
    public async Task LeaveUnsavedCopyAsync(string dataJson, int surveyPage)
    {
        await page.EvaluateAsync("""
            ([data, surveyPage]) => {
              const root = document.getElementById("respond-app");
              const state = JSON.parse(root.dataset.state);
              localStorage.setItem(root.dataset.storageKey, JSON.stringify({
                data: JSON.parse(data), page: surveyPage, baseRevision: state.revision, saved: false, at: Date.now() }));
            }
            """, new object[] { dataJson, surveyPage });
    }

    /// <summary>Waits until the autosave after the latest change has gone through.</summary>
    public async Task ExpectSavedAsync()
    {
        await Expect(SavedAt).ToBeVisibleAsync(new() { Timeout = 10_000 });
    }
}
