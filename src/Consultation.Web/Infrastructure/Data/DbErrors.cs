using Microsoft.Data.Sqlite;
using Npgsql;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>What a database error means, asked the same way of SQLite and PostgreSQL.</summary>
public static class DbErrors
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintPrimaryKey = 1555;
    private const int SqliteConstraintUnique = 2067;

    /// <summary>A UNIQUE index or primary key refused the row (SQLite SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY, PostgreSQL 23505).</summary>
    public static bool IsUniqueViolation(Exception ex) => ex switch
    {
        SqliteException s => s.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>Any integrity constraint refused the change: unique, foreign key, check, not null (SQLite 19, PostgreSQL class 23).</summary>
    public static bool IsConstraintViolation(Exception ex) => ex switch
    {
        SqliteException s => s.SqliteErrorCode == SqliteConstraint,
        PostgresException p => p.SqlState.StartsWith("23", StringComparison.Ordinal),
        _ => false,
    };
}
