using System.Net;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using static Consultation.Web.Tests.Pages.Evidence.EvidenceSteps;

namespace Consultation.Web.Tests.Pages.Evidence;

public sealed class EvidencePageTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Evidence_page_shows_the_worked_example_figures_and_suppression()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Page worked example");
        var client = await CoordinatorAsync(app);

        var response = await client.GetAsync($"/Evidence/Index/{roundId}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("3.9835", html, StringComparison.Ordinal);
        Assert.Contains("3.8166", html, StringComparison.Ordinal);
        Assert.Contains("4.3850", html, StringComparison.Ordinal); // DRUGS DAMAGE mean printed in the cell
        Assert.Contains("fewer than 3", html, StringComparison.Ordinal); // CYBER
        Assert.Contains("0.7661", html, StringComparison.Ordinal); // consensus in the tooltip
        Assert.Contains("weight 2", html, StringComparison.Ordinal); // DAMAGE weight shown
        Assert.Contains("role=\"tooltip\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_export_reproduces_the_worked_example()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Json worked example");
        var client = await CoordinatorAsync(app);

        var json = await client.GetStringAsync($"/Evidence/Index/{roundId}?handler=Json");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;

        Assert.Equal("consultation-scores/1", root.GetProperty("formulaVersion").GetString());
        var areas = root.GetProperty("crimeAreas").EnumerateArray().ToDictionary(a => a.GetProperty("crimeArea").GetString()!);
        Assert.Equal(3.9835, areas["DRUGS"].GetProperty("score").GetDouble());
        Assert.Equal(1, areas["DRUGS"].GetProperty("rank").GetInt32());
        Assert.Equal(3.8166, areas["THB"].GetProperty("score").GetDouble());
        Assert.Equal(2, areas["THB"].GetProperty("rank").GetInt32());
        Assert.Equal(JsonValueKind.Null, areas["CYBER"].GetProperty("score").ValueKind);
        var cyber = root.GetProperty("cells").EnumerateArray().First(c => c.GetProperty("crimeArea").GetString() == "CYBER");
        Assert.True(cyber.GetProperty("suppressed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, cyber.GetProperty("weightedMean").ValueKind);
        var thbScope = root.GetProperty("cells").EnumerateArray().First(c => c.GetProperty("crimeArea").GetString() == "THB" && c.GetProperty("indicator").GetString() == "SCOPE");
        Assert.Equal((5, 4, 3.4502, 0.5854), (thbScope.GetProperty("responses").GetInt32(), thbScope.GetProperty("organisations").GetInt32(),
            thbScope.GetProperty("weightedMean").GetDouble(), thbScope.GetProperty("sd").GetDouble()));
        Assert.DoesNotContain("Border Police", json, StringComparison.Ordinal); // figures only, no organisation names
    }

    [Fact]
    public async Task Csv_export_is_utf8_with_bom_one_row_per_cell_with_the_worked_example()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Csv worked example");
        var client = await CoordinatorAsync(app);

        var response = await client.GetAsync($"/Evidence/Index/{roundId}?handler=Csv");
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 3 * 5, lines.Length);
        var drugsDamage = lines.Single(l => l.Contains(",DRUGS,", StringComparison.Ordinal) && l.Contains(",DAMAGE,", StringComparison.Ordinal));
        Assert.Contains(",4,4,false,4.385,4,1,0.6479,0.7661,true,2,3.9835,1,", drugsDamage, StringComparison.Ordinal);
        var cyber = lines.Single(l => l.Contains(",CYBER,", StringComparison.Ordinal) && l.Contains(",RESOURCES,", StringComparison.Ordinal));
        Assert.Contains(",2,2,true,,,,,,,1,,,fewer than 3 organisations", cyber, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_and_xlsx_text_starting_with_a_formula_character_cannot_run_as_a_formula()
    {
        var roundId = await SeedWorkedExampleAsync(app, "=HYPERLINK(\"http://evil.example\",\"x\")");
        var client = await CoordinatorAsync(app);

        var csv = Encoding.UTF8.GetString(await client.GetByteArrayAsync($"/Evidence/Index/{roundId}?handler=Csv"));
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=HYPERLINK", csv, StringComparison.Ordinal);

        using var book = new XLWorkbook(new MemoryStream(await client.GetByteArrayAsync($"/Evidence/Index/{roundId}?handler=Xlsx")));
        var title = book.Worksheet("Cells").Cell(2, 2);
        // A text cell with Excel's quote prefix: the text as typed, and it stays text when the cell is edited.
        Assert.False(title.HasFormula);
        Assert.Equal(XLDataType.Text, title.DataType);
        Assert.True(title.Style.IncludeQuotePrefix);
        Assert.Equal("=HYPERLINK(\"http://evil.example\",\"x\")", title.GetString());
        var drugs = book.Worksheet("Crime areas").Cell(2, 1).GetString();
        Assert.Equal("DRUGS", drugs);
        Assert.Equal(3.9835, book.Worksheet("Crime areas").Cell(2, 3).GetDouble());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    public async Task A_report_of_a_snapshot_that_cannot_exist_says_so_instead_of_printing_the_live_figures(string snapshot)
    {
        var roundId = await SeedWorkedExampleAsync(app, "Report of a missing snapshot " + snapshot[..3]);
        var client = await CoordinatorAsync(app);

        var response = await client.GetAsync($"/Evidence/Report/{roundId}?snapshot={snapshot}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("There is no such snapshot of this round.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("3.9835", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, true, "no answers")]
    [InlineData(1, true, "fewer than 3 organisations")]
    [InlineData(3, false, "")]
    public void A_suppressed_cell_says_whether_nobody_answered_or_too_few_did(int organisations, bool suppressed, string expected) =>
        Assert.Equal(expected, Consultation.Web.Evidence.EvidenceCsv.SuppressedNote(
            new Consultation.Web.Evidence.ReportCell { Organisations = organisations, Suppressed = suppressed }, 3));

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+381 11", "'+381 11")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("plain, text", "\"plain, text\"")]
    public void Csv_field_protects_formula_characters(string text, string expected) =>
        Assert.Equal(expected, Consultation.Web.Evidence.EvidenceCsv.Field(text));

    [Theory]
    [InlineData("respondent@demo.local")]
    [InlineData("facilitator@demo.local")]
    public async Task Respondents_and_facilitators_get_403_on_every_evidence_page(string email)
    {
        var roundId = await SeedWorkedExampleAsync(app, "Forbidden " + email);
        var client = await SignedInAsync(app, email);

        foreach (var url in new[]
        {
            $"/Evidence/Index/{roundId}", $"/Evidence/Index/{roundId}?handler=Csv", $"/Evidence/Index/{roundId}?handler=Json",
            $"/Evidence/Index/{roundId}?handler=Xlsx", $"/Evidence/Index/{roundId}?handler=Raw", $"/Evidence/Cell/{roundId}/DRUGS/DAMAGE",
            $"/Evidence/Report/{roundId}", "/Evidence/Snapshot/1",
        })
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task Category_filter_applies_suppression_to_its_own_subset()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Category filter");
        var client = await CoordinatorAsync(app);

        using var all = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{roundId}?handler=Json"));
        using var ngo = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{roundId}?handler=Json&category=NGO"));

        static JsonElement Cell(JsonDocument d, string area, string indicator) => d.RootElement.GetProperty("cells").EnumerateArray()
            .First(c => c.GetProperty("crimeArea").GetString() == area && c.GetProperty("indicator").GetString() == indicator);
        Assert.False(Cell(all, "THB", "DAMAGE").GetProperty("suppressed").GetBoolean());
        // NGOs alone: ASTRA and Group 484 on THB = 2 organisations < 3.
        var thb = Cell(ngo, "THB", "DAMAGE");
        Assert.Equal(2, thb.GetProperty("organisations").GetInt32());
        Assert.True(thb.GetProperty("suppressed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, thb.GetProperty("weightedMean").ValueKind);
        Assert.Equal("NGO", ngo.RootElement.GetProperty("filter").GetProperty("category").GetString());

        var page = await client.GetStringAsync($"/Evidence/Index/{roundId}?category=NGO");
        Assert.DoesNotContain("4.8307", page, StringComparison.Ordinal); // THB DAMAGE of everyone
        Assert.DoesNotContain("3.8166", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workshop_scores_count_with_one_participant_as_one_organisation()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Workshop scores");
        var (workshopId, exerciseId) = await WorkshopAsync(app, roundId);
        // Two pseudonymous participants (one organisation each) and one signed in for Customs (shares its voice).
        var p1 = await ParticipantAsync(app, workshopId, "NGO");
        var p2 = await ParticipantAsync(app, workshopId, "ACADEMIC");
        var customs = await ParticipantAsync(app, workshopId, "AGENCY", await OrganisationIdAsync(app, "Customs Administration"));
        foreach (var indicator in new[] { "RESOURCES", "SCOPE", "FLEXIBILITY", "SOCIAL_TOLERANCE", "DAMAGE" })
        {
            await ScoreAsync(app, exerciseId, p1, $"CYBER/{indicator}", 4);
            await ScoreAsync(app, exerciseId, p2, $"CYBER/{indicator}", 5);
            await ScoreAsync(app, exerciseId, customs, $"CYBER/{indicator}", 3);
        }
        var client = await CoordinatorAsync(app);

        using var both = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{roundId}?handler=Json"));
        using var workshops = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{roundId}?handler=Json&source=Workshops"));
        using var questionnaires = JsonDocument.Parse(await client.GetStringAsync($"/Evidence/Index/{roundId}?handler=Json&source=Questionnaires"));

        static JsonElement Cyber(JsonDocument d) => d.RootElement.GetProperty("cells").EnumerateArray()
            .First(c => c.GetProperty("crimeArea").GetString() == "CYBER" && c.GetProperty("indicator").GetString() == "DAMAGE");
        // Customs + Share Foundation + two participants = 4 organisations from 5 values.
        Assert.Equal((5, 4, false), (Cyber(both).GetProperty("responses").GetInt32(), Cyber(both).GetProperty("organisations").GetInt32(), Cyber(both).GetProperty("suppressed").GetBoolean()));
        Assert.Equal((3, 3, false), (Cyber(workshops).GetProperty("responses").GetInt32(), Cyber(workshops).GetProperty("organisations").GetInt32(), Cyber(workshops).GetProperty("suppressed").GetBoolean()));
        Assert.True(Cyber(questionnaires).GetProperty("suppressed").GetBoolean());
        var cyberScore = both.RootElement.GetProperty("crimeAreas").EnumerateArray().First(a => a.GetProperty("crimeArea").GetString() == "CYBER");
        Assert.Equal(JsonValueKind.Number, cyberScore.GetProperty("score").ValueKind);

        var drill = await client.GetStringAsync($"/Evidence/Cell/{roundId}/CYBER/DAMAGE");
        Assert.Contains($"workshop:{workshopId}/participant:{p1}", drill, StringComparison.Ordinal);
        Assert.Contains("(÷2)", drill, StringComparison.Ordinal); // Customs: questionnaire + workshop share one voice
    }

    [Fact]
    public async Task Drill_down_lists_contributions_with_weights_and_links_to_response_revisions()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Drill-down");
        var client = await CoordinatorAsync(app);

        var response = await client.GetAsync($"/Evidence/Cell/{roundId}/DRUGS/DAMAGE");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("id=\"distribution-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("Border Police Directorate", html, StringComparison.Ordinal);
        Assert.Contains(">0.96<", html, StringComparison.Ordinal); // B2 agency weight 1.5 × 0.8 × 0.8
        Assert.Contains(">0.288<", html, StringComparison.Ordinal); // X2 academic MEDIUM
        Assert.Matches(@"href=""/Rounds/Responses/\d+\?revision=1""", html);
        var href = System.Text.RegularExpressions.Regex.Match(html, @"href=""(/Rounds/Responses/\d+\?revision=1)""").Groups[1].Value;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(href)).StatusCode); // the coordinator's response page, at that revision
        Assert.Matches($"href=\"/Evidence/(Index/)?{roundId}\"", await client.GetStringAsync($"/Rounds/Details/{roundId}"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/Evidence/Cell/{roundId}/DRUGS/NOT_AN_INDICATOR")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Evidence/Index/999999")).StatusCode);
    }

    [Fact]
    public async Task Raw_responses_export_flattens_answers()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Raw export");
        var client = await CoordinatorAsync(app);

        var csv = Encoding.UTF8.GetString(await client.GetByteArrayAsync($"/Evidence/Index/{roundId}?handler=Raw"));

        Assert.Contains("DRUGS_indicators.DAMAGE,5", csv, StringComparison.Ordinal);
        Assert.Contains("THB_confidence,MEDIUM", csv, StringComparison.Ordinal);
        Assert.Contains("Faculty of Security Studies", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Printable_report_has_matrix_rankings_and_methodology_appendix()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Report");
        var client = await CoordinatorAsync(app);

        var html = await client.GetStringAsync($"/Evidence/Report/{roundId}");

        Assert.Contains("3.9835", html, StringComparison.Ordinal);
        Assert.Contains("Methodology appendix", html, StringComparison.Ordinal);
        Assert.Contains("consultation scores", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Europol scores", html, StringComparison.Ordinal);
        Assert.Contains("id=\"grading-table\"", html, StringComparison.Ordinal);
    }
}
