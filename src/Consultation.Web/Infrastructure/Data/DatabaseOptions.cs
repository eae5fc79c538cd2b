using System.ComponentModel.DataAnnotations;

namespace Consultation.Web.Infrastructure.Data;

public enum DatabaseProvider { Sqlite }

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (default). PostgreSQL is added behind the same <see cref="Db"/> seam.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>SQLite file; relative paths are resolved against the content root.</summary>
    [Required]
    public string SqlitePath { get; set; } = "data/consultation.db";

    /// <summary>How long a writer waits for a lock before SQLite reports busy.</summary>
    [Range(0, 600_000)]
    public int BusyTimeoutMs { get; set; } = 5000;
}
