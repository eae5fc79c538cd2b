using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>
/// The group writer's commits leave checkpoints to <see cref="WalCheckpointer"/> (issue 6): the write-ahead log is still
/// copied into the database file — it does not grow without bound under autosaves — and the pooled connections
/// keep SQLite's automatic checkpoint for every other writer.
/// </summary>
public sealed class WalCheckpointerTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [SqliteOnlyFact("SQLite's write-ahead log")]
    public async Task Autosaves_are_checkpointed_in_the_background_and_connections_keep_the_default()
    {
        var (_, q) = await OpenRoundAsync(app, "Checkpoint round", SmallSchema);
        var client = await SignInAsync(app, "respondent@demo.local");
        var form = await OpenFormAsync(client, q);
        var checkpointer = app.Services.GetRequiredService<WalCheckpointer>();
        var before = checkpointer.Checkpoints;

        var note = new string('x', 20_000);
        for (var revision = 0; revision < 40; revision++)
        {
            var saved = await SaveAsync(client, q, form.Token, $$"""{ "score": 3, "note": "{{note}}{{revision}}" }""", page: 0, revision: revision);
            Assert.Equal(System.Net.HttpStatusCode.OK, saved.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (checkpointer.Checkpoints == before && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(checkpointer.Checkpoints > before, "no checkpoint ran after the autosaves");
        var db = app.Services.GetRequiredService<Db>();
        for (var i = 0; i < 5; i++)
        {
            await using var conn = await db.OpenAsync();
            Assert.Equal(WalCheckpointer.AutoCheckpointPages, await conn.ExecuteScalarAsync<long>("PRAGMA wal_autocheckpoint"));
        }
        // Everything the log held is in the database file after a checkpoint that found no reader in the way.
        await using (var conn = await db.OpenAsync())
        {
            var result = (await conn.QueryAsync<(long Busy, long Log, long Checkpointed)>("PRAGMA wal_checkpoint(PASSIVE)")).Single();
            Assert.Equal(result.Log, result.Checkpointed);
        }
    }
}
