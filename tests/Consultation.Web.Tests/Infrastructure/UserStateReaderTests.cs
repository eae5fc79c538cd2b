using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>
/// The signed-in user's row that every request checks its cookie against (issue 6): on PostgreSQL the reads asked for
/// while a query is on its way go together as one query; each still gets its own user's row as it is now.
/// </summary>
public sealed class UserStateReaderTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private UserStateReader Reader => app.Services.GetRequiredService<UserStateReader>();

    private async Task<List<(long Id, string Email)>> UsersAsync()
    {
        await using var conn = app.Connection();
        return (await conn.QueryAsync<(long, string)>("SELECT id, email FROM users ORDER BY id LIMIT 3")).ToList();
    }

    [Fact]
    public async Task Reads_asked_for_together_each_get_their_own_users_row_and_on_postgres_go_as_one_query()
    {
        var users = await UsersAsync();
        Assert.Equal(3, users.Count);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queriesBefore = Reader.Queries;
        Reader.BeforeQuery = () => gate.Task;
        StampValidator.UserState?[] states;
        try
        {
            // The first read starts the query loop, which waits at the gate; the others queue behind it.
            List<Task<StampValidator.UserState?>> reads =
            [
                Reader.ReadAsync(users[0].Id, CancellationToken.None),
                Reader.ReadAsync(users[1].Id, CancellationToken.None),
                Reader.ReadAsync(users[2].Id, CancellationToken.None),
                Reader.ReadAsync(users[0].Id, CancellationToken.None),
                Reader.ReadAsync(long.MaxValue, CancellationToken.None),
            ];
            gate.SetResult();
            states = await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            Reader.BeforeQuery = null;
            gate.TrySetResult();
        }

        Assert.Equal([users[0].Email, users[1].Email, users[2].Email, users[0].Email], states.Take(4).Select(s => s!.Email));
        Assert.All(states.Take(4), s => Assert.NotEmpty(s!.SecurityStamp));
        Assert.Null(states[4]);
        // One query for all five on PostgreSQL; SQLite reads each in this process (no batching there).
        Assert.Equal(TestDatabase.IsPostgres ? 1 : 0, Reader.Queries - queriesBefore);
    }

    /// <summary>Reads from many callers at once and one after another, the query loop stopping and starting between them: none is left waiting.</summary>
    [Fact]
    public async Task Many_reads_from_many_callers_are_all_answered_with_their_own_users_row()
    {
        var users = await UsersAsync();
        var callers = Enumerable.Range(0, 64).Select(async i =>
        {
            for (var j = 0; j < 50; j++)
            {
                var user = users[(i + j) % users.Count];
                Assert.Equal(user.Email, (await Reader.ReadAsync(user.Id, CancellationToken.None))!.Email);
                if (j % 7 == 0) await Task.Delay(1);
            }
        });
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_read_sees_a_change_committed_before_it_was_asked_for()
    {
        var user = (await UsersAsync())[1];
        var before = await Reader.ReadAsync(user.Id, CancellationToken.None);
        var stamp = "changed-" + Guid.NewGuid().ToString("N");
        await using (var conn = app.Connection())
            await conn.ExecuteAsync("UPDATE users SET security_stamp = @stamp WHERE id = @Id", new { stamp, user.Id });
        try
        {
            Assert.Equal(stamp, (await Reader.ReadAsync(user.Id, CancellationToken.None))!.SecurityStamp);
        }
        finally
        {
            await using var conn = app.Connection();
            await conn.ExecuteAsync("UPDATE users SET security_stamp = @SecurityStamp WHERE id = @Id", new { before!.SecurityStamp, user.Id });
        }
    }

    [Fact]
    public async Task A_read_cancelled_while_it_waits_fails_alone_and_the_others_are_answered()
    {
        var users = await UsersAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        Reader.BeforeQuery = () => gate.Task;
        Task<StampValidator.UserState?> kept, cancelled;
        try
        {
            kept = Reader.ReadAsync(users[0].Id, CancellationToken.None);
            cancelled = Reader.ReadAsync(users[1].Id, cancel.Token);
            await cancel.CancelAsync();
            gate.SetResult();
            // On SQLite the read was answered when it was asked for (no waiting, nothing to cancel).
            if (TestDatabase.IsPostgres) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            else Assert.Equal(users[1].Email, (await cancelled)!.Email);
            Assert.Equal(users[0].Email, (await kept.WaitAsync(TimeSpan.FromSeconds(30)))!.Email);
        }
        finally
        {
            Reader.BeforeQuery = null;
            gate.TrySetResult();
        }
        // The loop goes on: the next read is answered.
        Assert.Equal(users[1].Email, (await Reader.ReadAsync(users[1].Id, CancellationToken.None))!.Email);
    }
}
