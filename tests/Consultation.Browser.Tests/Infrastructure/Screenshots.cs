using Microsoft.Playwright;

namespace Consultation.Browser.Tests.Infrastructure;

/// <summary>
/// Screenshots are evidence for reviewers: written to <c>&lt;test bin&gt;/screenshots/</c> and copied to
/// <c>TestResults/screenshots/</c> in the repository, where CI and people look.
/// </summary>
public static class Screenshots
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private static readonly string? RepositoryFolder = Repository.Root is { } root ? Path.Combine(root, "TestResults", "screenshots") : null;

    public static async Task<string> SaveAsync(IPage page, string name)
    {
        var file = Path.Combine(Folder, Sanitize(name) + ".png");
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
        if (RepositoryFolder is not null)
        {
            Directory.CreateDirectory(RepositoryFolder);
            File.Copy(file, Path.Combine(RepositoryFolder, Path.GetFileName(file)), overwrite: true);
        }
        return file;
    }

    private static string Sanitize(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'));
}
