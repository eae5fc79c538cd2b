using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Evidence.EvidenceSteps;

namespace Consultation.Web.Tests.Pages.Evidence;

public sealed class SnapshotTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private async Task<(HttpClient Client, long SnapshotId)> FreezeAsync(long roundId, string label)
    {
        var client = await CoordinatorAsync(app);
        var response = await Forms.PostAsync(client, $"/Evidence/Index/{roundId}", new Dictionary<string, string> { ["Freeze.Label"] = label },
            $"/Evidence/Index/{roundId}?handler=Freeze");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/Evidence/Snapshot/", location, StringComparison.Ordinal);
        return (client, long.Parse(location["/Evidence/Snapshot/".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_same_freeze_form_posted_again_makes_no_second_snapshot_and_goes_to_the_first_with_a_notice()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Frozen once");
        var client = await CoordinatorAsync(app);
        var page = await client.GetStringAsync($"/Evidence/Index/{roundId}");
        var url = $"/Evidence/Index/{roundId}?handler=Freeze";
        KeyValuePair<string, string>[] fields = [new("Freeze.Label", "Board draft")];

        var first = await Pages.Rounds.RoundSteps.PostFromAsync(client, page, url, fields);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        // Back to the same page (its key unchanged), then Freeze evidence again.
        var again = await Pages.Rounds.RoundSteps.PostFromAsync(client, page, url, fields);

        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        var snapshot = WebUtility.HtmlDecode(await client.GetStringAsync(again.Headers.Location!.OriginalString));
        Assert.Matches(@"This page had already frozen the evidence as snapshot \d+, so no second snapshot was made\.", snapshot);
        await using var conn = app.Connection();
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM evidence_snapshots WHERE round_id = @roundId", new { roundId }));

        // A new page load freezes anew.
        var fresh = await Forms.PostAsync(client, $"/Evidence/Index/{roundId}", new Dictionary<string, string> { ["Freeze.Label"] = "Board draft" }, url);
        Assert.NotEqual(first.Headers.Location, fresh.Headers.Location);
        Assert.Equal(2, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM evidence_snapshots WHERE round_id = @roundId", new { roundId }));
    }

    [Fact]
    public async Task A_label_with_a_control_character_is_a_field_error_and_nothing_is_frozen()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Label with a bell");
        var client = await CoordinatorAsync(app);
        await using var conn = app.Connection();
        var before = await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM evidence_snapshots");

        var response = await Forms.PostAsync(client, $"/Evidence/Index/{roundId}", new Dictionary<string, string> { ["Freeze.Label"] = "Ring\u0007" },
            $"/Evidence/Index/{roundId}?handler=Freeze");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The label must be a single line without control characters.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM evidence_snapshots"));
    }

    [Fact]
    public async Task Snapshot_is_unchanged_after_new_data_and_its_sha256_verifies()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Snapshot stays");
        var (client, snapshotId) = await FreezeAsync(roundId, "Draft for the SOCTA board");
        var before = await client.GetByteArrayAsync($"/Evidence/Snapshot/{snapshotId}?handler=Json");

        // New data: a fourth organisation rates DRUGS very low, and the round's weights change.
        var db = app.Services.GetRequiredService<Db>();
        await using (var conn = await db.OpenAsync())
        {
            var versionId = await conn.ExecuteScalarAsync<long>("""
                SELECT v.id FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id WHERE q.round_id = @roundId
                """, new { roundId });
            var org = await OrganisationIdAsync(app, "Ministry of Interior");
            await EvidenceDemo.InsertSubmittedAsync(conn, null, versionId, org, await EvidenceDemo.RespondentAsync(conn, null, org, DateTimeOffset.UtcNow), "A1",
                EvidenceDemo.Answers(new Dictionary<string, (int[], string?)> { ["DRUGS"] = ([1, 1, 1, 1, 1], null) }), DateTimeOffset.UtcNow);
            await conn.ExecuteAsync("UPDATE rounds SET indicator_weights_json = '{}' WHERE id = @roundId", new { roundId });
        }

        var live = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{roundId}?handler=Json"));
        var liveDrugs = live.RootElement.GetProperty("crimeAreas").EnumerateArray().First(a => a.GetProperty("crimeArea").GetString() == "DRUGS");
        Assert.NotEqual(3.9835, liveDrugs.GetProperty("score").GetDouble());

        var after = await client.GetByteArrayAsync($"/Evidence/Snapshot/{snapshotId}?handler=Json");
        Assert.Equal(before, after);
        var snapshot = JsonDocument.Parse(after).RootElement;
        var drugs = snapshot.GetProperty("crimeAreas").EnumerateArray().First(a => a.GetProperty("crimeArea").GetString() == "DRUGS");
        Assert.Equal(3.9835, drugs.GetProperty("score").GetDouble());
        Assert.Equal(2.0, snapshot.GetProperty("settings").GetProperty("indicatorWeights").GetProperty("DAMAGE").GetDouble());
        Assert.Equal("consultation-scores/1", snapshot.GetProperty("formulaVersion").GetString());
        Assert.Equal(7, snapshot.GetProperty("sources").GetArrayLength());

        var page = await client.GetStringAsync($"/Evidence/Snapshot/{snapshotId}");
        var sha = Convert.ToHexStringLower(SHA256.HashData(after));
        Assert.Contains(sha, page, StringComparison.Ordinal);
        Assert.Contains("content matches", page, StringComparison.Ordinal);
        Assert.Contains("3.9835", page, StringComparison.Ordinal);
        Assert.Contains("Draft for the SOCTA board", page, StringComparison.Ordinal);
        await using var check = await db.OpenAsync();
        Assert.Equal(sha, await check.ExecuteScalarAsync<string>("SELECT sha256 FROM evidence_snapshots WHERE id = @snapshotId", new { snapshotId }));
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'evidence.frozen' AND details LIKE @d", new { d = $"snapshot:{snapshotId} %" }));
    }

    [Fact]
    public async Task Database_refuses_to_change_or_delete_a_snapshot()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Snapshot immutable");
        var (_, snapshotId) = await FreezeAsync(roundId, "");
        await using var conn = await app.Services.GetRequiredService<Db>().OpenAsync();

        var update = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => conn.ExecuteAsync("UPDATE evidence_snapshots SET content_json = '{}' WHERE id = @snapshotId", new { snapshotId }));
        Assert.Contains("immutable", update.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => conn.ExecuteAsync("DELETE FROM evidence_snapshots WHERE id = @snapshotId", new { snapshotId }));
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM evidence_snapshots WHERE id = @snapshotId", new { snapshotId }));
    }

    [Fact]
    public async Task Snapshot_exports_csv_and_xlsx_like_live_evidence_and_is_listed()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Snapshot exports");
        var (client, snapshotId) = await FreezeAsync(roundId, "exports");

        var csv = Encoding.UTF8.GetString(await client.GetByteArrayAsync($"/Evidence/Snapshot/{snapshotId}?handler=Csv"));
        Assert.Contains(",4.385,4,1,0.6479,0.7661,true,2,3.9835,1,", csv, StringComparison.Ordinal);
        var xlsx = await client.GetAsync($"/Evidence/Snapshot/{snapshotId}?handler=Xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal("PK"u8.ToArray(), (await xlsx.Content.ReadAsByteArrayAsync())[..2]);
        var report = await client.GetStringAsync($"/Evidence/Report/{roundId}?snapshot={snapshotId}");
        Assert.Contains($"Snapshot {snapshotId}", report, StringComparison.Ordinal);

        var list = await client.GetStringAsync($"/Evidence/Index/{roundId}");
        Assert.Contains($"/Evidence/Snapshot/{snapshotId}", list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/Evidence/Report/{roundId + 1000}?snapshot={snapshotId}")).StatusCode);
    }

    [Fact]
    public async Task A_snapshot_frozen_with_a_filter_compares_only_with_that_filter_and_its_links_carry_it()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Snapshot filter compare");
        var client = await CoordinatorAsync(app);
        var frozen = await Forms.PostAsync(client, $"/Evidence/Index/{roundId}?category=NGO", new Dictionary<string, string> { ["Freeze.Label"] = "NGOs only" },
            $"/Evidence/Index/{roundId}?category=NGO&handler=Freeze");
        Assert.Equal(HttpStatusCode.Redirect, frozen.StatusCode);
        var snapshotId = long.Parse(frozen.Headers.Location!.OriginalString["/Evidence/Snapshot/".Length..], System.Globalization.CultureInfo.InvariantCulture);

        // Once: every category against NGOs only, shown as changes that never happened.
        var mismatched = WebUtility.HtmlDecode(await client.GetStringAsync($"/Evidence/Index/{roundId}?compare=snapshot-{snapshotId}"));
        Assert.Contains("That snapshot was frozen with other filters (NGO", mismatched, StringComparison.Ordinal);
        Assert.DoesNotContain("Arrows compare with", mismatched, StringComparison.Ordinal);

        var matched = await client.GetStringAsync($"/Evidence/Index/{roundId}?category=NGO&compare=snapshot-{snapshotId}");
        Assert.Contains("Arrows compare with", matched, StringComparison.Ordinal);
        Assert.DoesNotContain("ev-change ev-up", matched, StringComparison.Ordinal);
        Assert.DoesNotContain("ev-change ev-down", matched, StringComparison.Ordinal);

        var list = WebUtility.HtmlDecode(await client.GetStringAsync($"/Evidence/Index/{roundId}"));
        Assert.Contains($"category=NGO&source=Both&compare=snapshot-{snapshotId}", list, StringComparison.Ordinal);
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/Evidence/Snapshot/{snapshotId}"));
        Assert.Contains("category=NGO", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comparison_with_an_earlier_snapshot_shows_arrows_for_score_and_rank_changes()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Snapshot compare");
        var (client, snapshotId) = await FreezeAsync(roundId, "before");
        await using (var conn = await app.Services.GetRequiredService<Db>().OpenAsync())
            await conn.ExecuteAsync("UPDATE rounds SET indicator_weights_json = '{\"DAMAGE\":10}' WHERE id = @roundId", new { roundId });

        var html = await client.GetStringAsync($"/Evidence/Index/{roundId}?compare={snapshotId}");

        Assert.Contains("Arrows compare with", html, StringComparison.Ordinal);
        // DAMAGE ×10 lifts both composites and puts THB first: THB rises a place, DRUGS falls one.
        // (The change spans also carry data-delta / data-rank-change and a title between the class and the arrow.)
        Assert.Matches("ev-change ev-up\"[^>]*>▲ <span class=\"visually-hidden\">change</span>&#x2B;0.", html);
        Assert.Matches("ev-change ev-up\" data-rank-change=\"1\"[^>]*>▲ <span class=\"visually-hidden\">change of rank</span>1", html);
        Assert.Matches("ev-change ev-down\" data-rank-change=\"-1\"[^>]*>▼ <span class=\"visually-hidden\">change of rank</span>1", html);
    }

    [Fact]
    public async Task Sensitivity_view_highlights_rank_changes_between_configured_and_equal_weights()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Sensitivity");
        await using (var conn = await app.Services.GetRequiredService<Db>().OpenAsync())
            await conn.ExecuteAsync("UPDATE rounds SET indicator_weights_json = '{\"DAMAGE\":10}' WHERE id = @roundId", new { roundId });
        var client = await CoordinatorAsync(app);

        var html = await client.GetStringAsync($"/Evidence/Index/{roundId}");
        var json = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{roundId}?handler=Json")).RootElement;
        var areas = json.GetProperty("crimeAreas").EnumerateArray().ToDictionary(a => a.GetProperty("crimeArea").GetString()!);

        // DAMAGE ×10 puts THB (4.8307) ahead of DRUGS (4.3850); with every weight 1 DRUGS leads (3.9032 vs 3.6138).
        Assert.Equal((1, 2), (areas["THB"].GetProperty("rank").GetInt32(), areas["DRUGS"].GetProperty("rank").GetInt32()));
        Assert.Equal((1, 2), (areas["DRUGS"].GetProperty("equalWeightsRank").GetInt32(), areas["THB"].GetProperty("equalWeightsRank").GetInt32()));
        Assert.Equal(3.9032, areas["DRUGS"].GetProperty("equalWeightsScore").GetDouble());
        Assert.Equal(3.6138, areas["THB"].GetProperty("equalWeightsScore").GetDouble());
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(html, "table-warning ev-moved"));
        Assert.Contains("id=\"sensitivity\"", html, StringComparison.Ordinal);
    }
}
