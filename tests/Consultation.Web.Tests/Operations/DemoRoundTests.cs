using System.Net;
using System.Text.Json;
using Consultation.Core.Aggregation;
using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;
using Consultation.Core.Scales;
using Consultation.Web.Operations;
using Consultation.Web.Tests.Pages.Respond;
using Dapper;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Operations;

/// <summary>
/// The demo round is DOMAIN.md's worked example: reading its stored answers back through the questionnaire's
/// bindings and aggregating them gives the example's figures.
/// </summary>
public sealed class DemoRoundTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private sealed record RoundRow
    {
        public long Id { get; init; }
        public string Status { get; init; } = "";
        public long MinOrganisations { get; init; }
        public string DefaultGrading { get; init; } = "";
        public string CategoryWeightsJson { get; init; } = "";
        public string IndicatorWeightsJson { get; init; } = "";
    }

    private sealed record SubmittedRow
    {
        public long ResponseId { get; init; }
        public long OrganisationId { get; init; }
        public string Category { get; init; } = "";
        public string? Grading { get; init; }
        public long RevisionNo { get; init; }
        public string DataJson { get; init; } = "";
        public string SchemaJson { get; init; } = "";
        public string BindingsJson { get; init; } = "";
    }

    [Fact]
    public async Task Demo_round_answers_reproduce_the_worked_example_through_the_bindings()
    {
        using var _ = app.CreateClient(); // starts the app, which seeds the demo data
        await using var conn = Open(app);
        var round = await conn.QuerySingleAsync<RoundRow>("""
            SELECT id, status, min_organisations, default_grading, category_weights_json, indicator_weights_json FROM rounds WHERE title = @DemoRoundTitle
            """, new { DemoData.DemoRoundTitle });
        Assert.Equal("Open", round.Status);
        Assert.Equal(["CYBER", "DRUGS", "THB"], await conn.QueryAsync<string>(
            "SELECT crime_area_code FROM round_crime_areas WHERE round_id = @Id ORDER BY crime_area_code", new { round.Id }));
        var submitted = (await conn.QueryAsync<SubmittedRow>("""
            SELECT rs.id AS response_id, rs.organisation_id, o.category, rs.grading, rr.revision_no, rr.data_json, v.schema_json, v.bindings_json
              FROM responses rs
              JOIN organisations o ON o.id = rs.organisation_id
              JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id
              JOIN questionnaires q ON q.id = v.questionnaire_id
              JOIN response_revisions rr ON rr.response_id = rs.id
                   AND rr.revision_no = (SELECT MAX(x.revision_no) FROM response_revisions x WHERE x.response_id = rs.id)
             WHERE q.round_id = @Id AND rs.status = 'Submitted' AND v.status = 'Published'
            """, new { round.Id })).ToList();
        Assert.Equal(7, submitted.Count);
        Assert.All(submitted, s => Assert.Empty(AnswerValidator.Validate(s.SchemaJson, s.DataJson)));

        var settings = new AggregationSettings
        {
            MinOrganisations = (int)round.MinOrganisations,
            DefaultGrading = Grading.Parse(round.DefaultGrading),
            CategoryWeights = JsonSerializer.Deserialize<Dictionary<string, double>>(round.CategoryWeightsJson)!,
            IndicatorWeights = JsonSerializer.Deserialize<Dictionary<string, double>>(round.IndicatorWeightsJson)!,
        };
        var evidence = Aggregator.Aggregate(submitted.SelectMany(ScoresOf), settings);

        Assert.Equal(3.9835, evidence.CrimeArea(CrimeAreas.Drugs)!.Composite);
        Assert.Equal(1, evidence.CrimeArea(CrimeAreas.Drugs)!.Rank);
        Assert.Equal(3.8166, evidence.CrimeArea(CrimeAreas.Thb)!.Composite);
        Assert.Equal(2, evidence.CrimeArea(CrimeAreas.Thb)!.Rank);
        Assert.Null(evidence.CrimeArea(CrimeAreas.Cyber)?.Composite);
        Assert.Equal(4.3850, evidence.Cell(CrimeAreas.Drugs, Indicators.Damage)!.WeightedMean);
        Assert.Equal(4.8307, evidence.Cell(CrimeAreas.Thb, Indicators.Damage)!.WeightedMean);
        Assert.True(evidence.Cell(CrimeAreas.Cyber, Indicators.Scope)!.Suppressed);
    }

    [Fact]
    public async Task Evidence_page_of_the_demo_round_shows_the_worked_example()
    {
        using var _ = app.CreateClient();
        long roundId;
        await using (var conn = Open(app))
            roundId = await conn.ExecuteScalarAsync<long>("SELECT id FROM rounds WHERE title = @DemoRoundTitle", new { DemoData.DemoRoundTitle });
        var coordinator = await CoordinatorAsync(app);

        var response = await coordinator.GetAsync($"/Evidence/Index/{roundId}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("3.9835", html, StringComparison.Ordinal);
        Assert.Contains("3.8166", html, StringComparison.Ordinal);
        Assert.Contains("fewer than 3", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_respondent_sees_astras_submission_and_can_amend_it()
    {
        var client = await RespondSteps.SignInAsync(app, "respondent@demo.local");

        var list = await client.GetStringAsync("/Respond");
        Assert.Contains(DemoData.DemoRoundTitle, list, StringComparison.Ordinal);
        Assert.Contains("data-progress=\"Submitted\"", list, StringComparison.Ordinal);
        var href = list[(list.IndexOf("/Respond/Form/", StringComparison.Ordinal) + "/Respond/Form/".Length)..];
        var q = long.Parse(href[..href.IndexOf('"', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        var form = await RespondSteps.OpenFormAsync(client, q);
        Assert.False(form.State.GetProperty("readOnly").GetBoolean());
        Assert.Equal("LOW", form.State.GetProperty("data").GetProperty("DRUGS_confidence").GetString());

        // The same answers again (the other test reads the figures): an amendment is a new revision either way.
        var data = form.State.GetProperty("data").GetRawText();
        var amend = await RespondSteps.SubmitAsync(client, q, form.Token, data, form.State.GetProperty("revision").GetInt64(), Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.OK, amend.StatusCode);
        Assert.Equal(2, (await RespondSteps.JsonAsync(amend)).GetProperty("revisionNo").GetInt64());
    }

    /// <summary>The reading the evidence does: each INDICATOR binding's cell, weighted by its block's CONFIDENCE (HIGH when unanswered).</summary>
    private static IEnumerable<ScoreValue> ScoresOf(SubmittedRow s)
    {
        var bindings = JsonSerializer.Deserialize<List<Binding>>(s.BindingsJson, Binding.JsonOptions)!;
        using var doc = JsonDocument.Parse(s.DataJson);
        var data = doc.RootElement;
        var result = new List<ScoreValue>();
        foreach (var b in bindings.Where(b => b.Kind == BindingKinds.Indicator))
        {
            if (!data.TryGetProperty(b.Question, out var matrix) || !matrix.TryGetProperty(b.Row!, out var cell)) continue;
            var confidence = Confidence.High;
            var cb = bindings.SingleOrDefault(c => c.Kind == BindingKinds.Confidence && c.CrimeArea == b.CrimeArea);
            if (cb is not null && data.TryGetProperty(cb.Question, out var code)) Assert.True(ConfidenceCodes.TryParse(code.GetString(), out confidence));
            result.Add(new ScoreValue(b.CrimeArea!, b.Indicator!, OrganisationKeys.Organisation(s.OrganisationId), s.Category,
                s.Grading is null ? null : Grading.Parse(s.Grading), confidence, cell.GetDouble(), SourceRef.Response(s.ResponseId, (int)s.RevisionNo)));
        }
        return result;
    }
}
