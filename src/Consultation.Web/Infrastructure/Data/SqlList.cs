using System.Data.Common;
using Npgsql;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>
/// A list parameter in a WHERE clause. Dapper expands <c>IN @ids</c> into <c>IN (@ids1, @ids2, …)</c> on SQLite but
/// sends one array to Npgsql, where the operator must be <c>= ANY(…)</c>. Pass an array (or List) as the value.
/// </summary>
public static class SqlList
{
    /// <summary><c>IN @p</c> on SQLite, <c>= ANY(@p)</c> on PostgreSQL.</summary>
    public static string In(DbConnection conn, string parameter) =>
        conn is NpgsqlConnection ? $"= ANY({parameter})" : $"IN {parameter}";

    /// <summary><c>NOT IN @p</c> on SQLite, <c>&lt;&gt; ALL(@p)</c> on PostgreSQL (both true for an empty list).</summary>
    public static string NotIn(DbConnection conn, string parameter) =>
        conn is NpgsqlConnection ? $"<> ALL({parameter})" : $"NOT IN {parameter}";
}

/// <summary>
/// "Contains, any case" for a LIKE with <c>ESCAPE '\'</c> over <c>lower(column)</c>: the text lower-cased, its
/// <c>\</c>, <c>%</c> and <c>_</c> taken literally. Null for empty text (no filter).
/// </summary>
public static class SqlLike
{
    public static string? Contains(string? text) => string.IsNullOrWhiteSpace(text) ? null
        : "%" + text.Trim().ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
