using System.Text.RegularExpressions;

namespace Consultation.Web.Tests.Pages;

/// <summary>
/// A table-responsive wrapper scrolls sideways on a phone: keyboard users reach it only if it is focusable, and
/// screen readers announce it only if it is a named region (axe scrollable-region-focusable). The browser test
/// checks four pages at 360 px; this keeps every other view, and any new one, from forgetting.
/// </summary>
public sealed partial class TableRegionTests
{
    [GeneratedRegex(@"<div\b[^>]*\bclass=""[^""]*\btable-responsive(?:-\w+)?\b[^""]*""[^>]*>")]
    private static partial Regex Wrapper();

    [Fact]
    public void Every_table_responsive_wrapper_is_a_named_focusable_region()
    {
        var root = Repository.Root ?? throw new InvalidOperationException("Consultation.sln not found");
        var pages = Path.Combine(root, "src", "Consultation.Web", "Pages");
        var found = 0;
        var wrong = new List<string>();
        foreach (var file in Directory.EnumerateFiles(pages, "*.cshtml", SearchOption.AllDirectories))
        {
            foreach (Match m in Wrapper().Matches(File.ReadAllText(file)))
            {
                found++;
                var tag = m.Value;
                if (!tag.Contains("tabindex=\"0\"", StringComparison.Ordinal) || !tag.Contains("role=\"region\"", StringComparison.Ordinal)
                    || !(tag.Contains("aria-label=\"", StringComparison.Ordinal) || tag.Contains("aria-labelledby=\"", StringComparison.Ordinal)))
                    wrong.Add($"{Path.GetRelativePath(root, file)}: {tag}");
            }
        }
        Assert.True(found >= 15, $"only {found} wrappers found: the scan no longer reads the views");
        Assert.True(wrong.Count == 0, "Wrappers without tabindex=\"0\" role=\"region\" and a name:\n" + string.Join("\n", wrong));
    }
}
