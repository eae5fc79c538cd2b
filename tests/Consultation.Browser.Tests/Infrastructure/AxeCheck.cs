using System.Text;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Microsoft.Playwright;

namespace Consultation.Browser.Tests.Infrastructure;

/// <summary>axe-core on the page as it is now; the accessibility tests collect serious and critical violations.</summary>
internal static class AxeCheck
{
    // axe-core as bundled with Deque.AxeCore.Commons (the version the package pins), injected into the page and run
    // there with every rule in one call. Deque's RunAxe runs axe per frame and then merges the partial results,
    // which took 2–4 s a page here (0.3–1 s this way); the portal's pages have no frames, and only violations need
    // details. AccessibilityTests.Axe_check_reports_what_axe_finds keeps this check honest.
    private static readonly Lazy<string> Script = new(() => new BundledAxeScriptProvider().GetScript());

    private const string Run = """
        async () => {
          const r = await axe.run(document, { resultTypes: ["violations"] });
          return JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({ impact: v.impact, id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.html) })));
        }
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Violation(string Impact, string Id, string Help, string[] Nodes);

    /// <summary>Runs axe-core and adds each serious or critical violation to <paramref name="report"/>, after <paramref name="label"/>.</summary>
    public static async Task AppendSeriousViolationsAsync(IPage page, StringBuilder report, string label)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'")) await page.EvaluateAsync(Script.Value);
        var json = await page.EvaluateAsync<string>(Run);
        foreach (var v in JsonSerializer.Deserialize<Violation[]>(json, Json)!)
            report.AppendLine($"{label}: [{v.Impact}] {v.Id} — {v.Help}: " + string.Join(" | ", v.Nodes));
    }
}
