using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Evidence.EvidenceSteps;

namespace Consultation.Web.Tests.Pages.Evidence;

/// <summary>PESTLE from workshops and questionnaires, and the cache's life cycle.</summary>
public sealed class EvidenceSourcesTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private EvidenceService Service => app.Services.GetRequiredService<EvidenceService>();

    [Fact]
    public async Task Workshop_pestle_factor_scores_the_mean_of_each_participants_product_and_merges_follow_the_target()
    {
        var roundId = await SeedWorkedExampleAsync(app, "PESTLE workshop");
        var (workshopId, exerciseId) = await WorkshopAsync(app, roundId, "PESTLE");
        long factor, merged;
        await using (var conn = await app.Services.GetRequiredService<Db>().OpenAsync())
        {
            factor = await conn.ExecuteScalarAsync<long>("INSERT INTO pestle_factors (exercise_id, dimension, text, created_at, updated_at) VALUES (@exerciseId, 'POLITICAL', 'Visa liberalisation', '2026-01-01', '2026-01-01') RETURNING id", new { exerciseId });
            merged = await conn.ExecuteScalarAsync<long>("INSERT INTO pestle_factors (exercise_id, dimension, text, merged_into, created_at, updated_at) VALUES (@exerciseId, 'POLITICAL', 'Visa regime', @factor, '2026-01-01', '2026-01-01') RETURNING id", new { exerciseId, factor });
        }
        // DOMAIN.md rule 6: (4, 5), (3, 3), (5, 2) → products 20, 9, 10 → 13.0 (not 13.3333); one scored the merged-away factor.
        await ScoreAsync(app, exerciseId, await ParticipantAsync(app, workshopId, "NGO"), $"factor:{factor}", 4, 5);
        await ScoreAsync(app, exerciseId, await ParticipantAsync(app, workshopId, "NGO"), $"factor:{factor}", 3, 3);
        await ScoreAsync(app, exerciseId, await ParticipantAsync(app, workshopId, "NGO"), $"factor:{merged}", 5, 2);

        var e = (await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None))!;

        var f = Assert.Single(e.Pestle.Factors);
        Assert.Equal(($"factor:{factor}", "POLITICAL", 13.0, 1, 1, 3), (f.FactorKey, f.Dimension, f.Score!.Value, f.Rank!.Value, f.DimensionRank!.Value, f.Organisations));
        Assert.Equal("Visa liberalisation", e.FactorText(f.FactorKey));
        Assert.Empty((await Service.LoadAsync(roundId, new EvidenceFilter(null, EvidenceSource.Questionnaires), CancellationToken.None))!.Pestle.Factors);
    }

    [Fact]
    public async Task Cached_evidence_is_reused_until_the_data_changes()
    {
        var roundId = await SeedWorkedExampleAsync(app, "Cache");

        var first = await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None);
        var again = await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None);
        Assert.Same(first, again);

        // A draft being autosaved does not invalidate; a grading does.
        await using (var conn = await app.Services.GetRequiredService<Db>().OpenAsync())
        {
            var response = await conn.ExecuteScalarAsync<long>("""
                SELECT r.id FROM responses r JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id JOIN questionnaires q ON q.id = v.questionnaire_id
                 WHERE q.round_id = @roundId ORDER BY r.id LIMIT 1
                """, new { roundId });
            var version = await conn.ExecuteScalarAsync<long>("SELECT questionnaire_version_id FROM responses WHERE id = @response", new { response });
            var astra = await OrganisationIdAsync(app, "ASTRA");
            var draft = await EvidenceDemo.InsertSubmittedAsync(conn, null, version, astra, await EvidenceDemo.RespondentAsync(conn, null, astra, DateTimeOffset.UtcNow), null, "{}", DateTimeOffset.UtcNow);
            Assert.NotSame(first, await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None)); // a new submission counts
            var current = await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None);
            await conn.ExecuteAsync("UPDATE responses SET status = 'Draft' WHERE id = @draft", new { draft });
            var afterDraftOnly = await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None);
            await conn.ExecuteAsync("UPDATE responses SET data_json = '{\"x\":1}' WHERE id = @draft", new { draft });
            Assert.Same(afterDraftOnly, await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None));
            Assert.NotSame(current, afterDraftOnly);

            await conn.ExecuteAsync("UPDATE responses SET grading = 'C4' WHERE id = @response", new { response });
        }
        var regraded = (await Service.LoadAsync(roundId, EvidenceFilter.All, CancellationToken.None))!;
        Assert.NotEqual(3.9835, regraded.Evidence.CrimeArea("DRUGS")!.Composite);
    }
}
