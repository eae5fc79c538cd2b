using System.ComponentModel.DataAnnotations;

namespace Consultation.Web.Infrastructure.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>SQLite's <c>PRAGMA synchronous</c> in WAL mode (https://www.sqlite.org/pragma.html#pragma_synchronous).</summary>
public enum SqliteSynchronous
{
    /// <summary>Every commit is fsynced: an acknowledged write survives a power cut.</summary>
    Full,
    /// <summary>Fsync only at checkpoints: survives a crash of the process, a power cut may lose the last commits.</summary>
    Normal,
}

public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (default) or <c>Postgres</c>; both sit behind the same <see cref="Db"/>.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>SQLite file; relative paths are resolved against the content root.</summary>
    [Required]
    public string SqlitePath { get; set; } = "data/consultation.db";

    /// <summary>How long a writer waits for a lock before SQLite reports busy.</summary>
    [Range(0, 600_000)]
    public int BusyTimeoutMs { get; set; } = 5000;

    /// <summary>
    /// SQLite only. <c>Full</c> (default): nothing acknowledged is lost even on a power cut ("nothing they typed
    /// may ever be lost"); <c>Normal</c>: faster commits, the last ones may be lost on a power cut. See README, Durability.
    /// </summary>
    public SqliteSynchronous Synchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>Npgsql connection string (<c>Host=…;Database=…;Username=…;Password=…</c>); required for Postgres.</summary>
    public string ConnectionString { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Provider))
            yield return new ValidationResult($"Database:Provider must be {string.Join(" or ", Enum.GetNames<DatabaseProvider>())}.", [nameof(Provider)]);
        if (!Enum.IsDefined(Synchronous))
            yield return new ValidationResult($"Database:Synchronous must be {string.Join(" or ", Enum.GetNames<SqliteSynchronous>())}.", [nameof(Synchronous)]);
        if (Provider != DatabaseProvider.Postgres) yield break;
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Database:ConnectionString is required when Database:Provider is Postgres.", [nameof(ConnectionString)]);
            yield break;
        }
        string? problem = null;
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            if (string.IsNullOrWhiteSpace(builder.Host)) problem = "Database:ConnectionString names no Host.";
            else if (string.IsNullOrWhiteSpace(builder.Database)) problem = "Database:ConnectionString names no Database.";
        }
        catch (ArgumentException ex)
        {
            problem = $"Database:ConnectionString is not a valid PostgreSQL connection string: {ex.Message}";
        }
        if (problem is not null) yield return new ValidationResult(problem, [nameof(ConnectionString)]);
    }
}
