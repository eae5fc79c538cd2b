using Consultation.Core.Scales;
using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Pages.Evidence;

/// <summary>The loader reads submitted responses and workshop scores from SQL and reproduces DOMAIN.md's worked example.</summary>
public sealed class EvidenceServiceTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private async Task<long> SeedAsync(string title)
    {
        _ = app.Server; // start the app: migrations and demo users
        return await EvidenceDemo.SeedWorkedExampleAsync(app.Services.GetRequiredService<Db>(), DateTimeOffset.UtcNow, title);
    }

    private EvidenceService Service => app.Services.GetRequiredService<EvidenceService>();

    [Fact]
    public async Task Worked_example_seeded_by_SQL_reproduces_the_domain_figures()
    {
        var roundId = await SeedAsync("Loader worked example");

        var e = await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None);

        Assert.NotNull(e);
        Assert.Equal(3.9835, e.Evidence.CrimeArea("DRUGS")!.Composite);
        Assert.Equal(1, e.Evidence.CrimeArea("DRUGS")!.Rank);
        Assert.Equal(3.8166, e.Evidence.CrimeArea("THB")!.Composite);
        Assert.Equal(2, e.Evidence.CrimeArea("THB")!.Rank);
        Assert.Null(e.Evidence.CrimeArea("CYBER")!.Composite);
        var damage = e.Evidence.Cell("DRUGS", Indicators.Damage)!;
        Assert.Equal((4, 4, 4.385, 4.0, 1.0, 0.6479, 0.7661), (damage.N, damage.Organisations, damage.WeightedMean!.Value, damage.WeightedMedian!.Value, damage.Iqr!.Value, damage.Sd!.Value, damage.Consensus!.Value));
        var thb = e.Evidence.Cell("THB", Indicators.Damage)!;
        Assert.Equal((5, 4, 4.8307), (thb.N, thb.Organisations, thb.WeightedMean!.Value));
        Assert.True(e.Evidence.Cell("CYBER", Indicators.Resources)!.Suppressed);
        Assert.Equal(7, e.Responses);
        Assert.Equal(["DRUGS", "THB", "CYBER"], e.CrimeAreas.Select(a => a.Code).Where(c => c is "DRUGS" or "THB" or "CYBER"));
    }

    [Fact]
    public async Task Withdrawn_and_draft_responses_do_not_count_and_latest_revision_does()
    {
        var roundId = await SeedAsync("Loader revisions");
        var db = app.Services.GetRequiredService<Db>();
        await using (var conn = await db.OpenAsync())
        {
            // ASTRA amends its DRUGS DAMAGE from 4 to 1 in revision 2; Customs withdraws.
            var astra = await conn.ExecuteScalarAsync<long>("""
                SELECT r.id FROM responses r JOIN organisations o ON o.id = r.organisation_id JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
                  JOIN questionnaires q ON q.id = v.questionnaire_id WHERE q.round_id = @roundId AND o.name = 'ASTRA'
                """, new { roundId });
            var data = EvidenceDemo.Answers(new Dictionary<string, (int[], string?)> { ["DRUGS"] = ([3, 3, 3, 4, 1], "LOW"), ["THB"] = ([4, 4, 5, 3, 5], "HIGH") });
            await conn.ExecuteAsync("INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by) VALUES (@astra, 2, @data, '2026-01-01T00:00:00Z', 1)", new { astra, data });
            await conn.ExecuteAsync("""
                UPDATE responses SET status = 'Withdrawn' WHERE id IN (SELECT r.id FROM responses r JOIN organisations o ON o.id = r.organisation_id
                  JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id JOIN questionnaires q ON q.id = v.questionnaire_id
                 WHERE q.round_id = @roundId AND o.name = 'Customs Administration')
                """, new { roundId });
        }

        var e = (await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None))!;

        var damage = e.Evidence.Cell("DRUGS", Indicators.Damage)!;
        Assert.Equal(3, damage.Organisations);
        Assert.Contains(damage.Contributions, c => c.Value == 1 && c.Source.Value.EndsWith("/rev:2", StringComparison.Ordinal));
        Assert.DoesNotContain(damage.Contributions, c => c.Source.Value.EndsWith("/rev:1", StringComparison.Ordinal) && c.Category == "NGO");
    }

    [Fact]
    public async Task Unknown_round_is_null()
    {
        _ = app.Server;
        Assert.Null(await Service.LoadAsync(987654, EvidenceFilter.All, CancellationToken.None));
    }

    [Fact]
    public async Task Answer_stored_under_a_value_name_reaches_its_evidence_cell()
    {
        var roundId = await SeedAsync("Loader value name");
        // A second questionnaire in the round asks THB DAMAGE with a rating whose answer SurveyJS stores under its valueName.
        const string schema = """
            { "pages": [ { "name": "p1", "elements": [
              { "type": "panel", "name": "thb", "elements": [
                { "type": "rating", "name": "thb_damage", "valueName": "THB_DAMAGE_VAL", "title": "THB damage", "isRequired": true } ] } ] } ] }
            """;
        const string bindings = """[ { "kind": "INDICATOR", "question": "thb_damage", "crimeArea": "THB", "indicator": "DAMAGE" } ]""";
        const string data = """{ "THB_DAMAGE_VAL": 2 }""";
        Assert.True(Consultation.Core.Questionnaires.QuestionnaireValidator.Validate(schema, bindings, ["THB"]).IsValid); // publishable
        Assert.Empty(Consultation.Core.Responses.AnswerValidator.Validate(schema, data));                                 // submittable
        var before = (await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None))!.Evidence.Cell("THB", Indicators.Damage)!;

        var db = app.Services.GetRequiredService<Db>();
        await using (var conn = await db.OpenAsync())
        {
            var now = DateTimeOffset.UtcNow;
            var author = await conn.ExecuteScalarAsync<long>("SELECT MIN(id) FROM users");
            var questionnaireId = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO questionnaires (round_id, title, template, created_by, created_at, updated_at)
                VALUES (@roundId, 'THB damage', NULL, @author, @now, @now) RETURNING id
                """, new { roundId, author, now });
            var versionId = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO questionnaire_versions (questionnaire_id, version, status, schema_json, bindings_json, created_by, created_at, updated_at, published_at, published_by)
                VALUES (@questionnaireId, 1, 'Published', @schema, @bindings, @author, @now, @now, @now, @author) RETURNING id
                """, new { questionnaireId, schema, bindings, author, now });
            var organisationId = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO organisations (name, category, country, created_at, updated_at) VALUES (@name, 'NGO', 'RS', @now, @now) RETURNING id
                """, new { name = $"Value name NGO {Guid.NewGuid():N}", now });
            await conn.ExecuteAsync("INSERT INTO round_organisations (round_id, organisation_id, invited_at, invited_by) VALUES (@roundId, @organisationId, @now, @author)",
                new { roundId, organisationId, now, author });
            var respondent = await EvidenceDemo.RespondentAsync(conn, null, organisationId, now);
            await EvidenceDemo.InsertSubmittedAsync(conn, null, versionId, organisationId, respondent, "A1", data, now);
        }

        var cell = (await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None))!.Evidence.Cell("THB", Indicators.Damage)!;

        Assert.Equal((before.N + 1, before.Organisations + 1), (cell.N, cell.Organisations));
        Assert.Contains(cell.Contributions, c => c.Value == 2);
        Assert.DoesNotContain(before.Contributions, c => c.Value == 2);
    }
}
