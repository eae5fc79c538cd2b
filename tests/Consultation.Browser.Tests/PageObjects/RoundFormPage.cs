using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Rounds/Create</c> and <c>/Rounds/Edit/{id}</c>: the round's fields.</summary>
public sealed class RoundFormPage(IPage page)
{
    private ILocator Form => page.Locator("main form[method=post]");
    public ILocator Title => Form.GetByLabel("Title", new() { Exact = true });
    public ILocator Description => Form.GetByLabel("Description", new() { Exact = true });
    /// <summary>What the form says about this device's copy of unsaved values (restored, removed).</summary>
    public ILocator Notice => page.Locator("#form-copy-notice");
    /// <summary>Values this device holds, typed to an earlier state of the round: shown apart, to copy.</summary>
    public ILocator UnsavedCopy => page.GetByRole(AriaRole.Region, new() { Name = "Not saved: changes typed on this device to an earlier version" });
    public ILocator RemoveUnsavedCopyButton => UnsavedCopy.GetByRole(AriaRole.Button, new() { Name = "Remove this copy from this device", Exact = true });

    public static async Task<RoundFormPage> OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        var form = new RoundFormPage(page);
        await Expect(form.Title).ToBeVisibleAsync();
        return form;
    }

    /// <summary>The keys of the round form's copies in this browser's storage.</summary>
    /// <summary>The device copies once the page's scripts have run (they keep or remove copies as the page loads).</summary>
    public async Task<string[]> DeviceCopyKeysAsync()
    {
        await page.WaitForLoadStateAsync(LoadState.Load);
        return await page.EvaluateAsync<string[]>("() => Object.keys(localStorage).filter(k => k.startsWith('consultation:form:')).sort()");
    }
}
