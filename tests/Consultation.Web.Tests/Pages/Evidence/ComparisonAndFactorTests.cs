using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Evidence.EvidenceSteps;

namespace Consultation.Web.Tests.Pages.Evidence;

/// <summary>Comparison with an earlier round, the PESTLE factor drill-down and the background recomputation.</summary>
public sealed partial class ComparisonAndFactorTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private EvidenceService Service => app.Services.GetRequiredService<EvidenceService>();

    [Fact]
    public async Task Comparison_with_an_earlier_round_shows_the_computed_changes_of_cells_scores_and_ranks()
    {
        var earlier = await SeedWorkedExampleAsync(app, "Comparison earlier round");
        var later = await SeedWorkedExampleAsync(app, "Comparison later round");
        await using (var conn = await app.Services.GetRequiredService<Db>().OpenAsync())
        {
            // The later round's agency now counts as A1 and Group 484 as C3: weights, means and composites move.
            await conn.ExecuteAsync("""
                UPDATE responses SET grading = CASE (SELECT o.name FROM organisations o WHERE o.id = responses.organisation_id)
                                               WHEN 'Border Police Directorate' THEN 'A1' WHEN 'Group 484' THEN 'C3' ELSE grading END
                 WHERE questionnaire_version_id IN (SELECT v.id FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id WHERE q.round_id = @later)
                """, new { later });
        }
        var client = await CoordinatorAsync(app);
        using var before = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{earlier}?handler=Json"));
        using var now = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{later}?handler=Json"));

        var html = await client.GetStringAsync($"/Evidence/Index/{later}?compare=round-{earlier}");

        Assert.Contains("id=\"comparison-legend\"", html, StringComparison.Ordinal);
        Assert.Contains("Comparison earlier round", html, StringComparison.Ordinal);
        var changed = 0;
        foreach (var area in now.RootElement.GetProperty("crimeAreas").EnumerateArray())
        {
            var code = area.GetProperty("crimeArea").GetString()!;
            var old = before.RootElement.GetProperty("crimeAreas").EnumerateArray().Single(a => a.GetProperty("crimeArea").GetString() == code);
            var expected = new List<string>();
            foreach (var cell in now.RootElement.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("crimeArea").GetString() == code))
            {
                var oldCell = before.RootElement.GetProperty("cells").EnumerateArray()
                    .Single(c => c.GetProperty("crimeArea").GetString() == code && c.GetProperty("indicator").GetString() == cell.GetProperty("indicator").GetString());
                if (cell.GetProperty("suppressed").GetBoolean() || oldCell.GetProperty("suppressed").GetBoolean()) continue;
                expected.Add(Delta(cell.GetProperty("weightedMean").GetDouble(), oldCell.GetProperty("weightedMean").GetDouble()));
            }
            if (area.GetProperty("score").ValueKind == JsonValueKind.Number && old.GetProperty("score").ValueKind == JsonValueKind.Number)
                expected.Add(Delta(area.GetProperty("score").GetDouble(), old.GetProperty("score").GetDouble()));

            var row = Row(html, code);
            Assert.Equal(expected, DeltaAttribute().Matches(row).Select(m => m.Groups[1].Value));
            changed += expected.Count(d => d != "0.0000");
            if (area.GetProperty("rank").ValueKind == JsonValueKind.Number && old.GetProperty("rank").ValueKind == JsonValueKind.Number)
                Assert.Equal((old.GetProperty("rank").GetInt32() - area.GetProperty("rank").GetInt32()).ToString(CultureInfo.InvariantCulture),
                    RankAttribute().Match(row).Groups[1].Value);
            else
                Assert.DoesNotMatch(RankAttribute(), row);
        }
        Assert.True(changed >= 5, $"only {changed} figures changed");
        // Text, not colour alone: every change carries an arrow and its signed delta.
        Assert.Matches(@"class=""ev-change ev-(up|down)""[^>]*>[▲▼] <span class=""visually-hidden"">change</span>[+-]\d\.\d{4}</span>", html);
    }

    [Fact]
    public async Task Comparison_with_an_unknown_or_the_same_round_is_a_field_error_not_a_failure()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Comparison errors");
        var client = await CoordinatorAsync(app);

        foreach (var compare in new[] { $"round-{roundId}", "round-987654", "round-x", "nonsense" })
        {
            var response = await client.GetAsync($"/Evidence/Index/{roundId}?compare={compare}");
            var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Matches("Choose (another round|a snapshot or a round) from the list.", html);
            Assert.DoesNotContain("id=\"comparison-legend\"", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Pestle_factor_drill_down_lists_each_participants_product_with_its_weight()
    {
        var roundId = await SeedWorkedExampleAsync(app, "PESTLE drill-down");
        var (workshopId, exerciseId) = await WorkshopAsync(app, roundId, "PESTLE");
        long factor;
        await using (var conn = await app.Services.GetRequiredService<Db>().OpenAsync())
            factor = await conn.ExecuteScalarAsync<long>("INSERT INTO pestle_factors (exercise_id, dimension, text, created_at, updated_at) VALUES (@exerciseId, 'ECONOMIC', 'Cash economy', '2026-01-01', '2026-01-01') RETURNING id", new { exerciseId });
        var p1 = await ParticipantAsync(app, workshopId, "NGO");
        await ScoreAsync(app, exerciseId, p1, $"factor:{factor}", 4, 5);
        await ScoreAsync(app, exerciseId, await ParticipantAsync(app, workshopId, "NGO"), $"factor:{factor}", 3, 3);
        await ScoreAsync(app, exerciseId, await ParticipantAsync(app, workshopId, "ACADEMIC"), $"factor:{factor}", 5, 2);
        var client = await CoordinatorAsync(app);

        var index = WebUtility.HtmlDecode(await client.GetStringAsync($"/Evidence/Index/{roundId}"));
        Assert.Matches($"href=\"/Evidence/Factor/{roundId}\\?factor=factor(:|%3A){factor}[&\"]", index);
        var response = await client.GetAsync($"/Evidence/Factor/{roundId}?factor=factor:{factor}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Cash economy", html, StringComparison.Ordinal);
        // B2 default grading, HIGH: NGO 0.8 × 0.8 = 0.64 each; ACADEMIC weighs 1 by default here too.
        var e = (await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None))!;
        var score = Assert.Single(e.Pestle.Factors);
        Assert.Contains(Consultation.Web.Pages.Evidence.EvidenceFormat.Figure(score.Score), html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(html, $"<span>workshop:{workshopId}/participant:\\d+</span>"));
        Assert.Contains(">20<", html, StringComparison.Ordinal);
        Assert.Contains(">9<", html, StringComparison.Ordinal);
        Assert.Contains(">10<", html, StringComparison.Ordinal);
        Assert.Contains($"workshop:{workshopId}/participant:{p1}", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/Evidence/Factor/{roundId}?factor=factor:999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/Evidence/Factor/{roundId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await SignedInAsync(app, "respondent@demo.local")).GetAsync($"/Evidence/Factor/{roundId}?factor=factor:{factor}")).StatusCode);
    }

    [Fact]
    public async Task Background_pass_recomputes_an_opened_view_after_a_change_so_the_page_finds_current_figures()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Background recompute");
        var first = (await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None))!;
        await using (var conn = await app.Services.GetRequiredService<Db>().OpenAsync())
            await conn.ExecuteAsync("""
                UPDATE responses SET grading = 'A1'
                 WHERE questionnaire_version_id IN (SELECT v.id FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id WHERE q.round_id = @roundId)
                """, new { roundId });
        long current;
        await using (var conn = await app.Services.GetRequiredService<Db>().OpenAsync())
            current = await EvidenceService.DataVersionAsync(conn, CancellationToken.None);
        Assert.True(current > first.DataVersion);

        // What EvidenceRefresher runs on its timer. A pass skips a view whose last computation finished less than
        // that computation's own duration ago (no back-to-back recomputing), so passes repeat as the timer's would.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            await Service.RefreshAsync(CancellationToken.None);
            if (Service.Peek(roundId, EvidenceFilter.All) is { } fresh && fresh.DataVersion >= current) break;
            await Task.Delay(50);
        }

        var peeked = Service.Peek(roundId, EvidenceFilter.All);
        Assert.NotNull(peeked);
        Assert.True(peeked.DataVersion >= current);
        Assert.NotEqual(first.Evidence.CrimeArea("DRUGS")!.Composite, peeked.Evidence.CrimeArea("DRUGS")!.Composite);
        var page = await Service.LoadForPageAsync(roundId, EvidenceFilter.All, CancellationToken.None);
        Assert.True(page!.IsCurrent);
        Assert.Same(peeked, page.Evidence); // served from what the background pass computed
    }

    private static string Delta(double now, double before) =>
        Math.Round(now - before, 4, MidpointRounding.AwayFromZero).ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Row(string html, string crimeArea)
    {
        var start = html.IndexOf($"<tr data-crime-area=\"{crimeArea}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, crimeArea);
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex("data-delta=\"([^\"]+)\"")]
    private static partial Regex DeltaAttribute();

    [GeneratedRegex("data-rank-change=\"([^\"]+)\"")]
    private static partial Regex RankAttribute();
}
