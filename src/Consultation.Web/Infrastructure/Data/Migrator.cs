using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>One numbered SQL script, e.g. <c>0001_accounts.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    public static Migration Parse(string fileName, string sql)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var underscore = stem.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0 || !int.TryParse(stem[..underscore], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            throw new MigrationException($"Migration file '{fileName}' must be named NNNN_name.sql.");
        return new Migration(version, stem, sql);
    }
}

public sealed class MigrationException(string message) : Exception(message);

/// <summary>
/// Applies numbered SQL scripts in order, each in its own transaction, and records them with a checksum in
/// <c>schema_migrations</c>. A script that was edited after it was applied stops the start-up: landed
/// migrations are forward-only.
/// </summary>
public sealed class Migrator(Db db, ILogger<Migrator> logger)
{
    public static IReadOnlyList<Migration> Embedded(DatabaseProvider dialect)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"migrations/{dialect.ToString().ToLowerInvariant()}/";
        return Sorted(assembly.GetManifestResourceNames()
            .Select(n => (Name: n.Replace('\\', '/'), Resource: n))
            .Where(n => n.Name.StartsWith(prefix, StringComparison.Ordinal) && n.Name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Migration.Parse(n.Name[prefix.Length..], Read(assembly, n.Resource))));
    }

    public static IReadOnlyList<Migration> FromDirectory(string directory) =>
        Sorted(Directory.EnumerateFiles(directory, "*.sql").Select(f => Migration.Parse(Path.GetFileName(f), File.ReadAllText(f))));

    private static List<Migration> Sorted(IEnumerable<Migration> migrations)
    {
        var list = migrations.OrderBy(m => m.Version).ToList();
        var dup = list.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new MigrationException($"Two migrations share number {dup.Key}: {string.Join(", ", dup.Select(m => m.Name))}.");
        return list;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private sealed record Applied
    {
        public long Version { get; init; }
        public string Name { get; init; } = "";
        public string Checksum { get; init; } = "";
    }

    /// <summary>Advisory lock key of the migration run on PostgreSQL (any fixed number the app uses for nothing else).</summary>
    private const long MigrationLockKey = 0x436F6E73756C74; // "Consult"

    /// <summary>Applies what is missing; returns the names applied now.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(IReadOnlyList<Migration>? migrations = null, CancellationToken ct = default)
    {
        migrations ??= Embedded(db.Dialect);
        await using var conn = await db.OpenAsync(ct);
        if (db.Dialect != DatabaseProvider.Postgres) return await ApplyAsync(conn, migrations, ct);
        // Several instances may start at once on one PostgreSQL database: one migrates, the others wait and then find
        // nothing left to do. (On SQLite the write lock already serialises them.) Unlocked explicitly: a pooled
        // session outlives this method.
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@Key)", new { Key = MigrationLockKey }, cancellationToken: ct));
        try
        {
            return await ApplyAsync(conn, migrations, ct);
        }
        finally
        {
            await conn.ExecuteAsync("SELECT pg_advisory_unlock(@Key)", new { Key = MigrationLockKey });
        }
    }

    private async Task<IReadOnlyList<string>> ApplyAsync(DbConnection conn, IReadOnlyList<Migration> migrations, CancellationToken ct)
    {
        await conn.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """);
        var applied = (await conn.QueryAsync<Applied>("SELECT version, name, checksum FROM schema_migrations ORDER BY version"))
            .ToDictionary(a => a.Version);

        foreach (var m in migrations)
        {
            if (applied.TryGetValue(m.Version, out var a) && a.Checksum != m.Checksum)
                throw new MigrationException(
                    $"Migration {m.Name} was edited after it was applied (checksum {a.Checksum[..12]}… in the database, {m.Checksum[..12]}… in the file). " +
                    "Landed migrations are forward-only: restore the original file and add a new numbered migration instead.");
        }

        var done = new List<string>();
        foreach (var m in migrations.Where(m => !applied.ContainsKey(m.Version)))
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            try
            {
                await conn.ExecuteAsync(new CommandDefinition(m.Sql, transaction: tx, cancellationToken: ct));
                await conn.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (@Version, @Name, @Checksum, @Now)",
                    new { m.Version, m.Name, m.Checksum, Now = DateTimeOffset.UtcNow }, tx);
                await tx.CommitAsync(ct);
            }
            catch (DbException ex)
            {
                throw new MigrationException($"Migration {m.Name} failed and was rolled back: {ex.Message}");
            }
            logger.LogInformation("Applied migration {Migration}", m.Name);
            done.Add(m.Name);
        }
        return done;
    }
}
