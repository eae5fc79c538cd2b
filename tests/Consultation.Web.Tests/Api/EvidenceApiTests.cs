using System.Net;
using System.Text;
using System.Text.Json;
using static Consultation.Web.Tests.Api.ApiTestKit;

namespace Consultation.Web.Tests.Api;

/// <summary>Import through the API, then read the evidence back: DOMAIN.md's worked example, exactly.</summary>
public sealed class EvidenceApiTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private async Task<(HttpClient Client, long RoundId)> ImportedWorkedExampleAsync()
    {
        var client = Client(app, await TokenAsync(app, "rounds:write responses:import evidence:read"));
        var created = await client.PostJsonAsync("/api/v1/rounds", ImportApiTests.WorkedExampleRound);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var roundId = (await BodyAsync(created)).GetProperty("id").GetInt64();
        var imported = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", ImportApiTests.WorkedExampleImport);
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        return (client, roundId);
    }

    private static JsonElement Cell(JsonElement evidence, string area, string indicator) =>
        evidence.GetProperty("cells").EnumerateArray().Single(c =>
            c.GetProperty("crimeArea").GetString() == area && c.GetProperty("indicator").GetString() == indicator);

    private static JsonElement Area(JsonElement evidence, string area) =>
        evidence.GetProperty("crimeAreas").EnumerateArray().Single(c => c.GetProperty("crimeArea").GetString() == area);

    // cell, n, orgs, mean, median, iqr, sd, consensus — DOMAIN.md "Worked example".
    public static TheoryData<string, string, int, int, double, double, double, double, double> Expected => new()
    {
        { "DRUGS", "RESOURCES", 4, 4, 3.3850, 3, 1, 0.6479, 0.7661 },
        { "DRUGS", "SCOPE", 4, 4, 4.3494, 4, 1, 0.6939, 0.7503 },
        { "DRUGS", "FLEXIBILITY", 4, 4, 3.7814, 4, 0, 0.4133, 0.8681 },
        { "DRUGS", "SOCIAL_TOLERANCE", 4, 4, 3.6150, 4, 1, 0.6479, 0.7661 },
        { "DRUGS", "DAMAGE", 4, 4, 4.3850, 4, 1, 0.6479, 0.7661 },
        { "THB", "RESOURCES", 5, 4, 3.5041, 3, 1, 0.6730, 0.7578 },
        { "THB", "SCOPE", 5, 4, 3.4502, 3, 1, 0.5854, 0.7877 },
        { "THB", "FLEXIBILITY", 5, 4, 4.1319, 4, 1, 0.5983, 0.8218 },
        { "THB", "SOCIAL_TOLERANCE", 5, 4, 2.1522, 2, 1, 0.5761, 0.8270 },
        { "THB", "DAMAGE", 5, 4, 4.8307, 5, 0, 0.3750, 0.8913 },
    };

    /// <summary>The smallest round: one row, k = 1.</summary>
    [Fact]
    public async Task One_imported_response_reads_back_as_evidence_csv_and_an_unchanging_snapshot()
    {
        var client = Client(app, await TokenAsync(app, "rounds:write responses:import evidence:read"));
        var created = await client.PostJsonAsync("/api/v1/rounds",
            """{ "title": "One voice", "crimeAreas": ["DRUGS", "THB"], "minOrganisations": 1, "organisations": ["ASTRA"] }""");
        var roundId = (await BodyAsync(created)).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import", """
            { "responses": [ { "organisation": "ASTRA", "grading": "B1", "scores": {
                "DRUGS": { "RESOURCES": 3, "SCOPE": 3, "FLEXIBILITY": 3, "SOCIAL_TOLERANCE": 4, "DAMAGE": 4, "CONFIDENCE": "LOW" } } } ] }
            """)).StatusCode);

        var evidence = await BodyAsync(await client.GetAsync($"/api/v1/rounds/{roundId}/evidence"));
        var damage = Cell(evidence, "DRUGS", "DAMAGE");
        Assert.False(damage.GetProperty("suppressed").GetBoolean());
        Assert.Equal(1, damage.GetProperty("responses").GetInt32());
        Assert.Equal(4.0, damage.GetProperty("weightedMean").GetDouble());
        Assert.Equal(3.4, Area(evidence, "DRUGS").GetProperty("score").GetDouble());
        Assert.Equal(1, Area(evidence, "DRUGS").GetProperty("rank").GetInt32());
        var thb = Cell(evidence, "THB", "DAMAGE");
        Assert.True(thb.GetProperty("suppressed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, thb.GetProperty("weightedMean").ValueKind);
        Assert.DoesNotContain("ASTRA", evidence.GetRawText(), StringComparison.Ordinal);

        var csv = await client.GetAsync($"/api/v1/rounds/{roundId}/evidence.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("DRUGS", Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);

        var frozen = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/snapshots", """{ "label": "k = 1" }""");
        Assert.Equal(HttpStatusCode.Created, frozen.StatusCode);
        // Later settings change the live evidence, not the snapshot.
        await using (var conn = app.Connection())
            await Dapper.SqlMapper.ExecuteAsync(conn, "UPDATE rounds SET min_organisations = 2 WHERE id = @roundId", new { roundId });
        Assert.True(Cell(await BodyAsync(await client.GetAsync($"/api/v1/rounds/{roundId}/evidence")), "DRUGS", "DAMAGE").GetProperty("suppressed").GetBoolean());
        var snapshot = await BodyAsync(await client.GetAsync(frozen.Headers.Location!.OriginalString));
        Assert.True(snapshot.GetProperty("verified").GetBoolean());
        Assert.Equal(4.0, Cell(snapshot.GetProperty("evidence"), "DRUGS", "DAMAGE").GetProperty("weightedMean").GetDouble());

        var importer = Client(app, await TokenAsync(app, "responses:import"));
        await ProblemAsync(await importer.GetAsync($"/api/v1/rounds/{roundId}/evidence"), HttpStatusCode.Forbidden);
        var bad = await ProblemAsync(await client.GetAsync($"/api/v1/rounds/{roundId}/evidence?category=CHURCH&source=Rumour"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["category", "source"], ErrorFields(bad));
        await ProblemAsync(await client.GetAsync("/api/v1/snapshots/424242"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Imported_worked_example_gives_exactly_the_worked_example_evidence()
    {
        var (client, roundId) = await ImportedWorkedExampleAsync();
        var response = await client.GetAsync($"/api/v1/rounds/{roundId}/evidence");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var evidence = await BodyAsync(response);

        Assert.Equal(roundId, evidence.GetProperty("round").GetProperty("id").GetInt64());
        Assert.Equal(3, evidence.GetProperty("settings").GetProperty("minOrganisations").GetInt32());
        Assert.Equal(2.0, evidence.GetProperty("settings").GetProperty("indicatorWeights").GetProperty("DAMAGE").GetDouble());
        foreach (var row in Expected)
        {
            var (area, indicator) = ((string)row[0], (string)row[1]);
            var c = Cell(evidence, area, indicator);
            var label = $"{area} {indicator}";
            Assert.False(c.GetProperty("suppressed").GetBoolean(), label);
            Assert.True((int)row[2] == c.GetProperty("responses").GetInt32(), label);
            Assert.True((int)row[3] == c.GetProperty("organisations").GetInt32(), label);
            Assert.True((double)row[4] == c.GetProperty("weightedMean").GetDouble(), $"{label} mean {c.GetProperty("weightedMean")}");
            Assert.True((double)row[5] == c.GetProperty("weightedMedian").GetDouble(), $"{label} median");
            Assert.True((double)row[6] == c.GetProperty("iqr").GetDouble(), $"{label} iqr");
            Assert.True((double)row[7] == c.GetProperty("sd").GetDouble(), $"{label} sd {c.GetProperty("sd")}");
            Assert.True((double)row[8] == c.GetProperty("consensus").GetDouble(), $"{label} consensus {c.GetProperty("consensus")}");
            Assert.Equal((double)row[6] <= 1, c.GetProperty("agreement").GetBoolean());
        }

        // Figures are rounded to 4 decimals in the JSON itself.
        Assert.Contains("\"weightedMean\":4.385,", (await response.Content.ReadAsStringAsync()).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        foreach (var indicator in new[] { "RESOURCES", "SCOPE", "FLEXIBILITY", "SOCIAL_TOLERANCE", "DAMAGE" })
        {
            var c = Cell(evidence, "CYBER", indicator);
            Assert.True(c.GetProperty("suppressed").GetBoolean());
            Assert.Equal(2, c.GetProperty("organisations").GetInt32());
            foreach (var figure in new[] { "weightedMean", "weightedMedian", "iqr", "sd", "consensus", "agreement" })
                Assert.Equal(JsonValueKind.Null, c.GetProperty(figure).ValueKind);
        }

        Assert.Equal(3.9835, Area(evidence, "DRUGS").GetProperty("score").GetDouble());
        Assert.Equal(1, Area(evidence, "DRUGS").GetProperty("rank").GetInt32());
        Assert.Equal(3.8166, Area(evidence, "THB").GetProperty("score").GetDouble());
        Assert.Equal(2, Area(evidence, "THB").GetProperty("rank").GetInt32());
        Assert.Equal(JsonValueKind.Null, Area(evidence, "CYBER").GetProperty("score").ValueKind);
        Assert.Equal(JsonValueKind.Null, Area(evidence, "CYBER").GetProperty("rank").ValueKind);
        Assert.True(evidence.TryGetProperty("pestle", out var pestle) && pestle.ValueKind == JsonValueKind.Array);
        // No organisation is named anywhere in the published evidence.
        Assert.DoesNotContain("Group 484", evidence.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_carries_the_same_figures_and_no_statistics_for_suppressed_cells()
    {
        var (client, roundId) = await ImportedWorkedExampleAsync();
        var response = await client.GetAsync($"/api/v1/rounds/{roundId}/evidence.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        Assert.Equal(1 + 15, lines.Length);
        string Field(string line, string column) => line.Split(',')[Array.IndexOf(header, column)];
        var damage = lines.Single(l => Field(l, "crime_area") == "DRUGS" && Field(l, "indicator") == "DAMAGE");
        Assert.Equal("4.385", Field(damage, "weighted_mean"));
        Assert.Equal("3.9835", Field(damage, "crime_area_score"));
        var cyber = lines.Single(l => Field(l, "crime_area") == "CYBER" && Field(l, "indicator") == "SCOPE");
        Assert.Equal("true", Field(cyber, "suppressed"));
        Assert.Equal("", Field(cyber, "weighted_mean"));
        Assert.Equal("", Field(cyber, "sd"));
    }

    [Fact]
    public async Task A_snapshot_freezes_the_evidence_and_does_not_change_when_more_data_comes()
    {
        var (client, roundId) = await ImportedWorkedExampleAsync();
        var created = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/snapshots", """{ "label": "Before the workshop" }""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var snapshot = await BodyAsync(created);
        var location = created.Headers.Location!.OriginalString;
        Assert.Equal($"/api/v1/snapshots/{snapshot.GetProperty("id").GetInt64()}", location);
        Assert.Equal(64, snapshot.GetProperty("sha256").GetString()!.Length);

        var more = await client.PostJsonAsync($"/api/v1/rounds/{roundId}/responses/import",
            """{ "responses": [ { "organisation": "ASTRA", "grading": "A1", "scores": { "DRUGS": { "DAMAGE": 1 }, "CYBER": { "DAMAGE": 1 } } } ] }""");
        Assert.Equal(HttpStatusCode.Created, more.StatusCode);
        var live = await BodyAsync(await client.GetAsync($"/api/v1/rounds/{roundId}/evidence"));
        Assert.NotEqual(4.385, Cell(live, "DRUGS", "DAMAGE").GetProperty("weightedMean").GetDouble());

        var frozen = await BodyAsync(await client.GetAsync(location));
        Assert.True(frozen.GetProperty("verified").GetBoolean());
        Assert.Equal("Before the workshop", frozen.GetProperty("label").GetString());
        Assert.Equal(snapshot.GetProperty("sha256").GetString(), frozen.GetProperty("sha256").GetString());
        var e = frozen.GetProperty("evidence");
        Assert.Equal(4.385, Cell(e, "DRUGS", "DAMAGE").GetProperty("weightedMean").GetDouble());
        Assert.Equal(3.9835, Area(e, "DRUGS").GetProperty("score").GetDouble());
        Assert.True(Cell(e, "CYBER", "DAMAGE").GetProperty("suppressed").GetBoolean());
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'evidence.frozen' AND target = 'round:' || @roundId", new { roundId }));
    }

    [Fact]
    public async Task A_snapshot_label_with_a_control_character_is_a_field_error()
    {
        var (client, roundId) = await ImportedWorkedExampleAsync();
        var before = await ScalarAsync(app, "SELECT COUNT(*) FROM evidence_snapshots");
        var problem = await ProblemAsync(await client.PostJsonAsync($"/api/v1/rounds/{roundId}/snapshots", """{ "label": "Before\r\nthe workshop" }"""),
            HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["label"], ErrorFields(problem));
        Assert.Equal(before, await ScalarAsync(app, "SELECT COUNT(*) FROM evidence_snapshots"));
    }

    [Fact]
    public async Task A_snapshot_needs_no_body_and_a_body_without_a_content_type_is_refused_not_ignored()
    {
        var (client, roundId) = await ImportedWorkedExampleAsync();
        var bare = await client.PostAsync($"/api/v1/rounds/{roundId}/snapshots", null);
        Assert.Equal(HttpStatusCode.Created, bare.StatusCode);
        var snapshot = await BodyAsync(bare);
        Assert.Equal("", snapshot.GetProperty("label").GetString());
        Assert.Equal(3.9835, Area(snapshot.GetProperty("evidence"), "DRUGS").GetProperty("score").GetDouble());

        var empty = await client.PostAsync($"/api/v1/rounds/{roundId}/snapshots", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.Created, empty.StatusCode);

        // A label sent without "Content-Type: application/json" would be dropped from an immutable snapshot.
        var before = await ScalarAsync(app, "SELECT COUNT(*) FROM evidence_snapshots WHERE round_id = @roundId", new { roundId });
        var untyped = new ByteArrayContent("""{ "label": "Lost?" }"""u8.ToArray());
        await ProblemAsync(await client.PostAsync($"/api/v1/rounds/{roundId}/snapshots", untyped), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await ScalarAsync(app, "SELECT COUNT(*) FROM evidence_snapshots WHERE round_id = @roundId", new { roundId }));
    }

    [Fact]
    public async Task Evidence_needs_its_scope_a_known_round_and_valid_filters()
    {
        var (client, roundId) = await ImportedWorkedExampleAsync();
        var importer = Client(app, await TokenAsync(app, "responses:import"));
        await ProblemAsync(await importer.GetAsync($"/api/v1/rounds/{roundId}/evidence"), HttpStatusCode.Forbidden);
        await ProblemAsync(await importer.PostJsonAsync($"/api/v1/rounds/{roundId}/snapshots", "{}"), HttpStatusCode.Forbidden);
        await ProblemAsync(await client.GetAsync("/api/v1/rounds/424242/evidence"), HttpStatusCode.NotFound);
        await ProblemAsync(await client.GetAsync("/api/v1/snapshots/424242"), HttpStatusCode.NotFound);
        var bad = await ProblemAsync(await client.GetAsync($"/api/v1/rounds/{roundId}/evidence?category=CHURCH&source=Rumour"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["category", "source"], ErrorFields(bad));

        // A filtered view applies suppression to its own subset: agencies alone are two organisations.
        var agencies = await BodyAsync(await client.GetAsync($"/api/v1/rounds/{roundId}/evidence?category=AGENCY"));
        Assert.True(Cell(agencies, "DRUGS", "DAMAGE").GetProperty("suppressed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, Cell(agencies, "DRUGS", "DAMAGE").GetProperty("weightedMean").ValueKind);
    }
}
