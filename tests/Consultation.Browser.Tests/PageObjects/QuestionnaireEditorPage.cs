using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Questionnaires/Edit/{id}</c>: the SurveyJS JSON beside its live preview.</summary>
public sealed class QuestionnaireEditorPage(IPage page)
{
    public ILocator Source => page.GetByLabel("SurveyJS JSON", new() { Exact = true });
    public ILocator Preview => page.GetByRole(AriaRole.Region, new() { Name = "Preview", Exact = true });
    public ILocator PreviewLanguage => Preview.GetByLabel("Language", new() { Exact = true });
    /// <summary>What the preview says about the JSON (e.g. that it cannot read it).</summary>
    public ILocator PreviewStatus => Preview.GetByRole(AriaRole.Status);

    /// <summary>A matrix question of the preview by its title (SurveyJS renders a matrix as a named radio group).</summary>
    public ILocator PreviewMatrix(string title) => Preview.GetByRole(AriaRole.Radiogroup, new() { Name = title, Exact = true });

    /// <summary>The rendered markup of the preview's html question named <paramref name="name"/>.</summary>
    public ILocator PreviewHtml(string name) => Preview.Locator($"[data-name='{name}'] .sd-html");

    public ILocator SaveDraftButton => page.GetByRole(AriaRole.Button, new() { Name = "Save draft", Exact = true });
    /// <summary>What the editor says about this device's copy of unsaved text (restored, removed).</summary>
    public ILocator Notice => page.Locator("#editor-notice");
    /// <summary>Text this device holds, typed to an earlier version: shown apart, to copy.</summary>
    public ILocator UnsavedCopy => page.GetByRole(AriaRole.Region, new() { Name = "Not saved: changes typed on this device to an earlier version" });
    public ILocator RemoveUnsavedCopyButton => UnsavedCopy.GetByRole(AriaRole.Button, new() { Name = "Remove this copy from this device", Exact = true });

    /// <summary>The keys of the editor's copies in this browser's storage.</summary>
    /// <summary>The device copies once the page's scripts have run (they keep or remove copies as the page loads).</summary>
    public async Task<string[]> DeviceCopyKeysAsync()
    {
        await page.WaitForLoadStateAsync(LoadState.Load);
        return await page.EvaluateAsync<string[]>("() => Object.keys(localStorage).filter(k => k.startsWith('consultation:questionnaire:')).sort()");
    }

    public static async Task<QuestionnaireEditorPage> OpenAsync(IPage page, long questionnaireId)
    {
        await page.GotoAsync($"/Questionnaires/Edit/{questionnaireId}");
        var editor = new QuestionnaireEditorPage(page);
        await Expect(editor.Source).ToBeVisibleAsync();
        return editor;
    }

    public Task ShowPreviewInAsync(string language) => PreviewLanguage.SelectOptionAsync(new SelectOptionValue { Label = language });

    /// <summary>Replaces <paramref name="oldText"/> in the JSON the way typing would (the preview follows the input event).</summary>
    public async Task ReplaceInSourceAsync(string oldText, string newText)
    {
        var json = await Source.InputValueAsync();
        Assert.Contains(oldText, json, StringComparison.Ordinal);
        await Source.FillAsync(json.Replace(oldText, newText, StringComparison.Ordinal));
    }
}
