using System.Data.Common;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Pages.Respond;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>
/// The group-commit writer (issue 6): a batch runs without savepoints; a write that throws makes the batch run again
/// with one savepoint a write, so it alone fails; a write that catches a database error itself runs in its own
/// savepoint, so on PostgreSQL too it does not take its batch down with it.
/// </summary>
public sealed class ResponseWriterTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private ResponseWriter Writer => app.Services.GetRequiredService<ResponseWriter>();

    private static Task<int> InsertAsync(DbConnection c, DbTransaction tx, string key) =>
        c.ExecuteAsync("INSERT INTO settings (key, value, updated_at) VALUES (@key, 'v', '2026-12-04T00:00:00Z')", new { key }, tx);

    private async Task<List<string>> KeysAsync(string prefix)
    {
        await using var conn = app.Connection();
        return (await conn.QueryAsync<string>("SELECT key FROM settings WHERE key LIKE @p ORDER BY key", new { p = prefix + "%" })).ToList();
    }

    /// <summary>Makes <paramref name="writes"/> one batch (<see cref="WriterHold"/>).</summary>
    private async Task<List<Task<T>>> OneBatchAsync<T>(params Func<ResponseWriter, Task<T>>[] writes)
    {
        var hold = await WriterHold.HoldAsync(Writer);
        var tasks = writes.Select(w => w(Writer)).ToList();
        await hold.ReleaseFirstAsync();
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        await hold.ReleaseAllAsync();
        return tasks;
    }

    [Fact]
    public async Task A_failing_write_fails_alone_and_the_others_of_its_batch_are_committed_once()
    {
        var prefix = "writer-fail-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var runs = new int[3];
        var tasks = await OneBatchAsync(
            w => w.WriteAsync(async (c, tx) => { Interlocked.Increment(ref runs[0]); return await InsertAsync(c, tx, prefix + "a"); }, CancellationToken.None),
            w => w.WriteAsync<int>((_, _) => { Interlocked.Increment(ref runs[1]); throw new InvalidOperationException("this write fails"); }, CancellationToken.None),
            w => w.WriteAsync(async (c, tx) => { Interlocked.Increment(ref runs[2]); return await InsertAsync(c, tx, prefix + "c"); }, CancellationToken.None));

        Assert.Equal(1, await tasks[0]);
        Assert.Equal("this write fails", (await Assert.ThrowsAsync<InvalidOperationException>(() => tasks[1])).Message);
        Assert.Equal(1, await tasks[2]);
        Assert.Equal([prefix + "a", prefix + "c"], await KeysAsync(prefix));
        // The first run stopped at the failure and was rolled back; the second, with savepoints, committed the rest.
        Assert.Equal([2, 2, 1], runs);
    }

    [Fact]
    public async Task A_batch_without_failures_runs_each_write_once()
    {
        var prefix = "writer-ok-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var runs = 0;
        var tasks = await OneBatchAsync(Enumerable.Range(0, 10).Select(i => (Func<ResponseWriter, Task<int>>)(w =>
            w.WriteAsync(async (c, tx) => { Interlocked.Increment(ref runs); return await InsertAsync(c, tx, $"{prefix}{i:00}"); }, CancellationToken.None))).ToArray());

        Assert.All(tasks, t => Assert.Equal(1, t.Result));
        Assert.Equal(10, runs);
        Assert.Equal(10, (await KeysAsync(prefix)).Count);
    }

    [Fact]
    public async Task A_write_that_catches_its_own_database_error_does_not_undo_its_batch()
    {
        var prefix = "writer-iso-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var tasks = await OneBatchAsync(
            w => w.WriteAsync(async (c, tx) => (await InsertAsync(c, tx, prefix + "a")).ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None),
            w => w.WriteIsolatedAsync(async (c, tx) =>
            {
                try
                {
                    await InsertAsync(c, tx, prefix + "a"); // the first write's key again
                    return "inserted twice";
                }
                catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
                {
                    return "caught";
                }
            }, CancellationToken.None),
            w => w.WriteAsync(async (c, tx) => (await InsertAsync(c, tx, prefix + "c")).ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None));

        Assert.Equal(["1", "caught", "1"], tasks.Select(t => t.Result));
        // On PostgreSQL the caught error would have aborted the transaction for all three without the savepoint.
        Assert.Equal([prefix + "a", prefix + "c"], await KeysAsync(prefix));
    }

    private static readonly HotSql InsertRowSql = new(
        "INSERT INTO settings (key, value, updated_at) VALUES (@key, @value, '2026-12-05T00:00:00Z') RETURNING key, value", "@key", "@value");

    private sealed record Row(string Key, string Value);

    private static Row ReadRow(DbDataReader r) => new(r.GetString(0), r.GetString(1));

    private static readonly HotSql UpdateRowSql = new("UPDATE settings SET value = @value WHERE key = @key RETURNING key, value", "@value", "@key");

    /// <summary>
    /// One-statement writes (on PostgreSQL sent together, one round trip) between ordinary ones: each gets its own
    /// row, or null when its statement returned none, and every write runs once.
    /// </summary>
    [Fact]
    public async Task Statement_writes_among_other_writes_each_get_their_own_row()
    {
        var prefix = "writer-row-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var runs = 0;
        var tasks = await OneBatchAsync<Row?>(
            w => w.WriteRowAsync(InsertRowSql, [prefix + "a", "1"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(InsertRowSql, [prefix + "b", "2"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(UpdateRowSql, ["none", prefix + "missing"], ReadRow, CancellationToken.None),
            w => w.WriteAsync<Row?>(async (c, tx) => { Interlocked.Increment(ref runs); await InsertAsync(c, tx, prefix + "c"); return null; }, CancellationToken.None),
            w => w.WriteRowAsync(UpdateRowSql, ["3", prefix + "a"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(InsertRowSql, [prefix + "d", "4"], ReadRow, CancellationToken.None));

        Assert.Equal([new Row(prefix + "a", "1"), new Row(prefix + "b", "2"), null, null, new Row(prefix + "a", "3"), new Row(prefix + "d", "4")],
            tasks.Select(t => t.Result));
        Assert.Equal(1, runs);
        Assert.Equal([prefix + "a", prefix + "b", prefix + "c", prefix + "d"], await KeysAsync(prefix));
    }

    /// <summary>A one-statement write that fails (a key taken) fails alone; the statements sent with it are committed once.</summary>
    [Fact]
    public async Task A_failing_statement_write_fails_alone_and_the_statements_sent_with_it_are_committed()
    {
        var prefix = "writer-row-fail-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var tasks = await OneBatchAsync<Row?>(
            w => w.WriteRowAsync(InsertRowSql, [prefix + "a", "1"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(InsertRowSql, [prefix + "a", "again"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(InsertRowSql, [prefix + "b", "2"], ReadRow, CancellationToken.None));

        Assert.Equal(new Row(prefix + "a", "1"), await tasks[0]);
        var error = await Assert.ThrowsAnyAsync<DbException>(() => tasks[1]);
        Assert.True(DbErrors.IsUniqueViolation(error), error.Message);
        Assert.Equal(new Row(prefix + "b", "2"), await tasks[2]);
        await using var conn = app.Connection();
        Assert.Equal(["1", "2"], await conn.QueryAsync<string>("SELECT value FROM settings WHERE key LIKE @p ORDER BY key", new { p = prefix + "%" }));
    }

    /// <summary>An insert with a form for many (PostgreSQL sends the writes of a batch that use it as one statement).</summary>
    private static readonly HotSql InsertRowsSql = new(InsertRowSql.Sql, "@key", "@value")
    {
        Many = new("""
            WITH t AS (SELECT * FROM unnest(@key::text[], @value::text[]) WITH ORDINALITY AS t(k, v, ord)),
                 i AS (INSERT INTO settings (key, value, updated_at) SELECT k, v, '2026-12-05T00:00:00Z' FROM t RETURNING key, value)
            SELECT i.key, i.value, t.ord FROM i JOIN t ON t.k = i.key
            """, "@key", "@value"),
    };

    /// <summary>
    /// Writes that share a statement with a form for many each get their own row; when that one statement fails (a
    /// key taken twice), the batch runs again write by write and only the write at fault fails.
    /// </summary>
    [Fact]
    public async Task Writes_sent_as_one_statement_each_get_their_row_and_one_at_fault_fails_alone()
    {
        var prefix = "writer-many-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var before = ResponseWriter.ManyStatements;
        var tasks = await OneBatchAsync<Row?>(
            w => w.WriteRowAsync(InsertRowsSql, [prefix + "a", "1"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(InsertRowsSql, [prefix + "b", "2"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(InsertRowsSql, [prefix + "c", "3"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(UpdateRowSql, ["4", prefix + "b"], ReadRow, CancellationToken.None));
        Assert.Equal([new Row(prefix + "a", "1"), new Row(prefix + "b", "2"), new Row(prefix + "c", "3"), new Row(prefix + "b", "4")],
            tasks.Select(t => t.Result));

        var failing = await OneBatchAsync<Row?>(
            w => w.WriteRowAsync(InsertRowsSql, [prefix + "d", "5"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(InsertRowsSql, [prefix + "a", "again"], ReadRow, CancellationToken.None),
            w => w.WriteRowAsync(InsertRowsSql, [prefix + "e", "6"], ReadRow, CancellationToken.None));
        Assert.Equal(new Row(prefix + "d", "5"), await failing[0]);
        var error = await Assert.ThrowsAnyAsync<DbException>(() => failing[1]);
        Assert.True(DbErrors.IsUniqueViolation(error), error.Message);
        Assert.Equal(new Row(prefix + "e", "6"), await failing[2]);

        await using var conn = app.Connection();
        Assert.Equal(["1", "4", "3", "5", "6"], await conn.QueryAsync<string>("SELECT value FROM settings WHERE key LIKE @p ORDER BY key", new { p = prefix + "%" }));
        if (Writer.Parallelism > 1) Assert.True(ResponseWriter.ManyStatements >= before + 2); // PostgreSQL
    }
}
