using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>The migration runner against a real database: a SQLite file, or a throw-away PostgreSQL database.</summary>
public sealed class MigratorTests : IAsyncLifetime, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "consultation-migrator-" + Guid.NewGuid().ToString("N"));
    private readonly string _scripts;
    private TestDatabase _database = null!;
    private Db _db = null!;
    private Migrator _migrator = null!;

    public MigratorTests()
    {
        _scripts = Path.Combine(_root, "migrations");
        Directory.CreateDirectory(_scripts);
    }

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(Path.Combine(_root, "test.db"));
        var options = new DatabaseOptions { SqlitePath = _database.SqlitePath };
        if (_database.PostgresConnectionString is { } cs) (options.Provider, options.ConnectionString) = (DatabaseProvider.Postgres, cs);
        _db = new Db(Options.Create(options), new Env(_root));
        _migrator = new Migrator(_db, NullLogger<Migrator>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    public void Dispose() => _db?.Dispose();

    private async Task<bool> TableExistsAsync(string name)
    {
        await using var conn = await _db.OpenAsync();
        return _db.Dialect == DatabaseProvider.Postgres
            ? await conn.ExecuteScalarAsync<bool>("SELECT to_regclass(@name) IS NOT NULL", new { name })
            : await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name", new { name }) == 1;
    }

    private sealed class Env(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "Test";
        public string ContentRootPath { get; set; } = root;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    private void Script(string name, string sql) => File.WriteAllText(Path.Combine(_scripts, name), sql);

    [Fact]
    public async Task Applies_in_numeric_order_and_records_checksums()
    {
        Script("0002_second.sql", "-- why: depends on the first\nINSERT INTO t (v) VALUES ('second');");
        Script("0001_first.sql", "-- why: base table\nCREATE TABLE t (v TEXT NOT NULL);");
        Script("0010_tenth.sql", "-- why: after 2, not after 1\nINSERT INTO t (v) VALUES ('tenth');");

        var applied = await _migrator.MigrateAsync(Migrator.FromDirectory(_scripts));

        Assert.Equal(["0001_first", "0002_second", "0010_tenth"], applied);
        await using var conn = await _db.OpenAsync();
        Assert.Equal(["second", "tenth"], await conn.QueryAsync<string>("SELECT v FROM t ORDER BY v"));
        var checksums = (await conn.QueryAsync<string>("SELECT checksum FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal(3, checksums.Count);
        Assert.All(checksums, c => Assert.Equal(64, c.Length));
    }

    [Fact]
    public async Task Running_twice_applies_nothing_the_second_time()
    {
        Script("0001_first.sql", "-- why: base\nCREATE TABLE t (v TEXT);");
        await _migrator.MigrateAsync(Migrator.FromDirectory(_scripts));

        var again = await _migrator.MigrateAsync(Migrator.FromDirectory(_scripts));

        Assert.Empty(again);
    }

    [Fact]
    public async Task Refuses_a_migration_edited_after_it_was_applied()
    {
        Script("0001_first.sql", "-- why: base\nCREATE TABLE t (v TEXT);");
        await _migrator.MigrateAsync(Migrator.FromDirectory(_scripts));
        Script("0001_first.sql", "-- why: base\nCREATE TABLE t (v TEXT, w TEXT);");
        Script("0002_second.sql", "-- why: next\nCREATE TABLE u (v TEXT);");

        var ex = await Assert.ThrowsAsync<MigrationException>(() => _migrator.MigrateAsync(Migrator.FromDirectory(_scripts)));

        Assert.Contains("0001_first was edited after it was applied", ex.Message, StringComparison.Ordinal);
        Assert.False(await TableExistsAsync("u"));
    }

    [Fact]
    public async Task A_failing_migration_is_rolled_back_whole()
    {
        Script("0001_first.sql", "-- why: base\nCREATE TABLE t (v TEXT);");
        Script("0002_broken.sql", "-- why: broken on purpose\nCREATE TABLE half (v TEXT);\nINSERT INTO missing_table VALUES (1);");

        await Assert.ThrowsAsync<MigrationException>(() => _migrator.MigrateAsync(Migrator.FromDirectory(_scripts)));

        Assert.True(await TableExistsAsync("t"));
        Assert.False(await TableExistsAsync("half"));
        await using var conn = await _db.OpenAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Embedded_migrations_apply_to_an_empty_database_and_then_nothing_is_left()
    {
        var applied = await _migrator.MigrateAsync();

        Assert.Equal(Migrator.Embedded(_db.Dialect).Select(m => m.Name), applied);
        Assert.Empty(await _migrator.MigrateAsync());
        Assert.True(await TableExistsAsync("evidence_data_version"));
    }

    [SqliteOnlyFact("WAL, foreign keys and the busy timeout are SQLite connection settings")]
    public async Task Embedded_migrations_apply_to_an_empty_database_with_wal_and_foreign_keys()
    {
        var applied = await _migrator.MigrateAsync();

        Assert.Contains("0001_accounts", applied);
        await using var conn = await _db.OpenAsync();
        Assert.Equal("wal", await conn.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
        Assert.True(await conn.ExecuteScalarAsync<long>("PRAGMA busy_timeout") > 0);
    }

    /// <summary>
    /// Migration 0013: a form response's submission key moves to its latest revision (earlier revisions had theirs
    /// overwritten, so they get none) and the response keeps none; an imported response keeps its own.
    /// </summary>
    [Fact]
    public async Task Migration_13_moves_form_submission_keys_to_the_latest_revision_and_leaves_imports_alone()
    {
        await _migrator.MigrateAsync([.. Migrator.Embedded(_db.Dialect).Where(m => m.Version < 13)]);
        await using (var conn = await _db.OpenAsync())
        {
            const string At = "2026-12-01T10:00:00Z";
            await conn.ExecuteAsync($$"""
                INSERT INTO users (id, email, normalized_email, security_stamp, concurrency_stamp, created_at)
                VALUES (1, 'a@example.org', 'A@EXAMPLE.ORG', 's', 'c', '{{At}}');
                INSERT INTO organisations (id, name, category, created_at, updated_at) VALUES (1, 'Org', 'NGO', '{{At}}', '{{At}}');
                INSERT INTO rounds (id, title, opens_at, closes_at, created_at, updated_at) VALUES (1, 'Round', '{{At}}', '2027-01-01T00:00:00Z', '{{At}}', '{{At}}');
                INSERT INTO questionnaires (id, round_id, title, created_at, updated_at) VALUES (1, 1, 'Q', '{{At}}', '{{At}}');
                INSERT INTO questionnaires (id, round_id, title, created_at, updated_at) VALUES (2, 1, 'Q2', '{{At}}', '{{At}}');
                INSERT INTO questionnaire_versions (id, questionnaire_id, version, schema_json, status, published_at, created_at, updated_at)
                VALUES (1, 1, 1, '{}', 'Published', '{{At}}', '{{At}}', '{{At}}');
                INSERT INTO questionnaire_versions (id, questionnaire_id, version, schema_json, status, published_at, created_at, updated_at)
                VALUES (2, 2, 1, '{}', 'Published', '{{At}}', '{{At}}', '{{At}}');
                INSERT INTO responses (id, questionnaire_version_id, organisation_id, respondent_user_id, status, revision, data_json, submitted_at,
                                       idempotency_key, created_at, updated_at)
                VALUES (1, 1, 1, 1, 'Submitted', 2, '{}', '{{At}}', 'form-key-second', '{{At}}', '{{At}}');
                INSERT INTO responses (id, questionnaire_version_id, organisation_id, respondent_user_id, status, revision, data_json, submitted_at,
                                       idempotency_key, source, created_at, updated_at)
                VALUES (2, 2, 1, 1, 'Submitted', 1, '{}', '{{At}}', 'import-key-0001', 'Import', '{{At}}', '{{At}}');
                INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by) VALUES (1, 1, '{}', '{{At}}', 1);
                INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by) VALUES (1, 2, '{}', '{{At}}', 1);
                INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by) VALUES (2, 1, '{}', '{{At}}', 1);
                """);
        }

        Assert.Contains("0013_submission_keys_on_revisions", await _migrator.MigrateAsync([.. Migrator.Embedded(_db.Dialect).Where(m => m.Version <= 13)]));

        await using var after = await _db.OpenAsync();
        Assert.Equal([(1L, 1L, null), (1L, 2L, "form-key-second"), (2L, 1L, null)],
            (await after.QueryAsync<(long, long, string?)>("SELECT response_id, revision_no, idempotency_key FROM response_revisions ORDER BY response_id, revision_no")).ToList());
        Assert.Equal([(1L, null), (2L, "import-key-0001")],
            (await after.QueryAsync<(long, string?)>("SELECT id, idempotency_key FROM responses ORDER BY id")).ToList());
        // Unique on the revisions then …
        const string Again = "INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by, idempotency_key) VALUES (1, 3, '{}', '2026-12-02T00:00:00Z', 1, 'form-key-second')";
        var duplicate = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => after.ExecuteAsync(Again));
        Assert.True(DbErrors.IsUniqueViolation(duplicate), duplicate.Message);

        // … and no longer after migration 0015 (a key answers retries of its own response: FormTests), the keys kept.
        Assert.Contains("0015_submission_keys_per_response", await _migrator.MigrateAsync());
        Assert.Equal(1, await after.ExecuteAsync(Again));
        Assert.Equal(["form-key-second", "form-key-second"], await after.QueryAsync<string>(
            "SELECT idempotency_key FROM response_revisions WHERE idempotency_key IS NOT NULL ORDER BY revision_no"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public void Every_embedded_migration_starts_with_a_why_comment(DatabaseProvider dialect)
    {
        var all = Migrator.Embedded(dialect);
        Assert.NotEmpty(all);
        Assert.All(all, m => Assert.StartsWith("-- why:", m.Sql, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_sqlite_migration_has_a_postgres_twin_with_the_same_file_name_and_vice_versa()
    {
        var root = Repository.Root;
        Assert.NotNull(root);
        string[] Names(string dialect) =>
            [.. Directory.EnumerateFiles(Path.Combine(root, "migrations", dialect), "*.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        var sqlite = Names("sqlite");
        var postgres = Names("postgres");
        Assert.NotEmpty(sqlite);
        Assert.Equal(sqlite, postgres);
        // And both are embedded in the app under those names.
        Assert.Equal(Migrator.Embedded(DatabaseProvider.Sqlite).Select(m => m.Name), Migrator.Embedded(DatabaseProvider.Postgres).Select(m => m.Name));
    }
}
