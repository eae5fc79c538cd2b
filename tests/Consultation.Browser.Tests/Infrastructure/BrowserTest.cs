using System.Text;
using Microsoft.Playwright;
using Xunit.Sdk;

namespace Consultation.Browser.Tests.Infrastructure;

/// <summary>
/// One test's browser work: any number of people, each in their own <see cref="IBrowserContext"/> (own
/// cookies), on one shared Chromium. <see cref="RunAsync"/> turns a failure into a message that says which
/// page each person was on, what the browser console complained about, and where the screenshots are.
/// </summary>
public sealed class BrowserTest(IBrowser browser, Uri baseUrl, ServerLog serverLog, string name) : IAsyncDisposable
{
    private readonly int _serverLogStart = serverLog.Count;

    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private sealed record Person(string Name, IBrowserContext Context, IPage Page, List<string> BrowserErrors);

    private readonly List<Person> _people = [];

    public string Name { get; } = name;

    /// <summary>Opens a new browser context (a different person on a different device) with one page.</summary>
    /// <param name="bypassCsp">Ignore the pages' Content-Security-Policy: for a test showing that another defence (the
    /// HTML sanitizer) stops a script on its own, not only because the CSP would have.</param>
    public async Task<IPage> NewPersonAsync(string person, ViewportSize? viewport = null, bool bypassCsp = false)
    {
        var phone = viewport is { Width: < 600 };
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = viewport ?? Desktop,
            IsMobile = phone,
            HasTouch = phone,
            Locale = "en-GB",
            // Bootstrap then skips its transitions: screenshots show finished states, not a menu half open.
            ReducedMotion = ReducedMotion.Reduce,
            BypassCSP = bypassCsp,
        });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        // CSP violations and script errors show up only here; a page can look right and still be broken.
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        _people.Add(new Person(person, context, page, errors));
        return page;
    }

    /// <summary>Runs the test's steps; on failure saves a screenshot of every open page and fails with their URLs.</summary>
    public async Task RunAsync(Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch (Exception ex)
        {
            var message = new StringBuilder($"Browser test '{Name}' failed: {ex.Message.Trim()}");
            foreach (var person in _people)
            {
                message.AppendLine().Append($"  {person.Name}: {SafeUrl(person.Page)}");
                try
                {
                    message.Append($"  (screenshot: {await Screenshots.SaveAsync(person.Page, $"{Name}-FAILED-{person.Name}")})");
                }
                catch (PlaywrightException shotFailed)
                {
                    message.Append($"  (no screenshot: {shotFailed.Message})");
                }
                foreach (var error in Errors(person)) message.AppendLine().Append($"    browser console: {error}");
            }
            foreach (var entry in serverLog.Since(_serverLogStart)) message.AppendLine().Append($"  server log: {entry}");
            throw new XunitException(message.ToString(), ex);
        }
    }

    /// <summary>Saves evidence of a passing step: <c>screenshots/&lt;test&gt;-&lt;label&gt;.png</c>.</summary>
    public Task<string> ScreenshotAsync(IPage page, string label) => Screenshots.SaveAsync(page, $"{Name}-{label}");

    /// <summary>Fails when any page logged a console error or threw — e.g. the CSP blocked a script or style.</summary>
    public void AssertNoBrowserErrors()
    {
        var all = _people.SelectMany(p => Errors(p).Select(e => $"{p.Name} on {SafeUrl(p.Page)}: {e}")).ToList();
        if (all.Count > 0) throw new XunitException("The browser reported errors:" + Environment.NewLine + string.Join(Environment.NewLine, all));
    }

    private static List<string> Errors(Person person)
    {
        lock (person.BrowserErrors) return [.. person.BrowserErrors];
    }

    private static string SafeUrl(IPage page) => page.IsClosed ? "(closed)" : page.Url;

    public async ValueTask DisposeAsync()
    {
        foreach (var person in _people) await person.Context.CloseAsync();
    }
}
