using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Consultation.Browser.Tests.Infrastructure;

/// <summary>
/// One Playwright driver and one headless Chromium (Debian's <c>/usr/bin/chromium</c>) per test collection:
/// launching costs over a second, a fresh <see cref="IBrowserContext"/> per test costs milliseconds and
/// isolates cookies just as well.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>From TOOLCHAIN.md: no sandbox (CI runs as root) and no calls to outside hosts (there are none).</summary>
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Fail in seconds, not after Playwright's 30 s default, and say where (see BrowserTest.RunAsync).
        Assertions.SetDefaultExpectTimeout(5_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>Starts one test's browser session against <paramref name="app"/>; the test's name names its screenshots.</summary>
    public BrowserTest Start(BrowserPortalFactory app, string? variant = null, [CallerMemberName] string test = "") =>
        new(Browser, app.BaseUrl, app.ServerLog, variant is null ? test : $"{test}-{variant}");

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}

/// <summary>Browser tests share one Chromium; xunit runs the classes of one collection one after another.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
