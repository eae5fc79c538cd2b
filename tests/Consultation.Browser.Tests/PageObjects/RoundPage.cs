using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Rounds/Details/{id}</c> for a coordinator: status, progress per invited organisation, mail buttons.</summary>
public sealed class RoundPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator Progress => page.GetByRole(AriaRole.Region, new() { Name = "Progress", Exact = true });
    public ILocator StatusMessage => page.GetByRole(AriaRole.Status);

    /// <summary>The progress row of one organisation (its row header is the organisation's name and category).</summary>
    public ILocator ProgressOf(string organisation) =>
        Progress.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = organisation }) });

    public static async Task<RoundPage> OpenAsync(IPage page, long roundId, string title)
    {
        await page.GotoAsync($"/Rounds/Details/{roundId}");
        var round = new RoundPage(page);
        await Expect(round.Heading).ToHaveTextAsync(title);
        return round;
    }

    public async Task<ResponsesPage> OpenResponsesAsync()
    {
        await Progress.GetByRole(AriaRole.Link, new() { Name = "Responses", Exact = true }).ClickAsync();
        var list = new ResponsesPage(page);
        await Expect(list.Heading).ToHaveTextAsync("Responses");
        return list;
    }
}

/// <summary><c>/Rounds/{id}/Responses</c>: the round's responses.</summary>
public sealed class ResponsesPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator Table => page.GetByRole(AriaRole.Table, new() { Name = "Responses" });

    public async Task<ResponsePage> OpenAsync(string organisation)
    {
        await Table.GetByRole(AriaRole.Link, new() { Name = organisation, Exact = true }).ClickAsync();
        var response = new ResponsePage(page);
        await Expect(response.Heading).ToHaveTextAsync(organisation);
        return response;
    }
}

/// <summary><c>/Rounds/Responses/{id}</c>: one response's answers, revisions and the grading form.</summary>
public sealed class ResponsePage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator StatusMessage => page.GetByRole(AriaRole.Status);
    public ILocator Answers => page.GetByRole(AriaRole.Region, new() { Name = "Answers", Exact = true });
    public ILocator Revisions => page.GetByRole(AriaRole.Region, new() { Name = "Revision history" });
    public ILocator GradeForm => page.GetByRole(AriaRole.Region, new() { Name = "Grade (Europol 4x4)" });
    public ILocator Source(string code) => GradeForm.GetByRole(AriaRole.Group, new() { Name = "Source reliability" }).GetByRole(AriaRole.Radio, new() { Name = code + " —" });
    public ILocator Information(string code) => GradeForm.GetByRole(AriaRole.Group, new() { Name = "Information" }).GetByRole(AriaRole.Radio, new() { Name = code + " —" });
    public ILocator SaveGrading => GradeForm.GetByRole(AriaRole.Button, new() { Name = "Save grading" });

    /// <summary>The answer shown under a question title (the definition that follows the term).</summary>
    public ILocator AnswerTo(string questionTitle) =>
        Answers.Locator("dt", new() { HasTextString = questionTitle }).Locator("xpath=following-sibling::dd[1]");

    public async Task GradeAsync(string source, string information)
    {
        await Source(source).CheckAsync();
        await Information(information).CheckAsync();
        await SaveGrading.ClickAsync();
        await Expect(StatusMessage).ToHaveTextAsync($"Graded {source}{information}.");
    }
}
