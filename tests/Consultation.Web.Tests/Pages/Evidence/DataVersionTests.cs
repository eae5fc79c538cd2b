using Consultation.Web.Evidence;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Pages.Evidence;

/// <summary>
/// The evidence data version moves with every committed change of submitted data, also when one transaction changes
/// many rows (the group writer's), and not for a change that was rolled back — on PostgreSQL it is bumped once per
/// transaction (migration 0012), on SQLite once per row.
/// </summary>
public sealed class DataVersionTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private async Task<long> VersionAsync()
    {
        await using var conn = await app.Services.GetRequiredService<Db>().OpenAsync();
        return await EvidenceService.DataVersionAsync(conn, CancellationToken.None);
    }

    [Fact]
    public async Task Each_committed_transaction_moves_the_version_and_a_rolled_back_one_does_not()
    {
        var roundId = await EvidenceSteps.SeedWorkedExampleAsync(app, "Data version " + Guid.NewGuid().ToString("N")[..6]);
        const string regrade = """
            UPDATE responses SET grading = @grading
             WHERE questionnaire_version_id IN (SELECT v.id FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id WHERE q.round_id = @roundId)
            """;
        var db = app.Services.GetRequiredService<Db>();

        var before = await VersionAsync();
        await using (var conn = await db.OpenAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            Assert.True(await conn.ExecuteAsync(regrade, new { grading = "A1", roundId }, tx) > 1);
            await tx.RollbackAsync();
        }
        Assert.Equal(before, await VersionAsync());

        await using (var conn = await db.OpenAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await conn.ExecuteAsync(regrade, new { grading = "A1", roundId }, tx);
            await conn.ExecuteAsync(regrade, new { grading = "B2", roundId }, tx);
            await tx.CommitAsync();
        }
        var afterFirst = await VersionAsync();
        Assert.True(afterFirst > before);

        // A later transaction (on PostgreSQL often the same pooled connection, which is not reset) bumps again.
        await using (var conn = await db.OpenAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await conn.ExecuteAsync(regrade, new { grading = "C3", roundId }, tx);
            await tx.CommitAsync();
        }
        Assert.True(await VersionAsync() > afterFirst);
    }
}
