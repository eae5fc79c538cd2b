using System.Data;
using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>Dapper settings made once per process: snake_case mapping and time stored as UTC ISO-8601 text.</summary>
public static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.RemoveTypeMap(typeof(bool));
        SqlMapper.RemoveTypeMap(typeof(bool?));
        SqlMapper.AddTypeHandler(new BooleanHandler());
    }

    /// <summary>
    /// Flags are 0/1 integer columns on both databases (SQLite has no boolean type). PostgreSQL will not store a
    /// boolean parameter in an integer column, so booleans are sent as 0/1; read back, both 0/1 and a SQL
    /// boolean (e.g. <c>active = 1 AS active</c> on PostgreSQL) map to <see cref="bool"/>.
    /// </summary>
    private sealed class BooleanHandler : SqlMapper.TypeHandler<bool>
    {
        public override void SetValue(IDbDataParameter parameter, bool value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value ? 1L : 0L;
        }

        public override bool Parse(object value) => ToBoolean(value);
    }

    /// <summary>A flag column's value as Dapper reads it here (0/1 or a SQL boolean).</summary>
    public static bool ToBoolean(object value) => value switch
    {
        bool b => b,
        long l => l != 0,
        int i => i != 0,
        short s => s != 0,
        decimal d => d != 0,
        string s => s is "1" or "true" or "True",
        _ => Convert.ToBoolean(value, CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// SQLite has no time type: values are written as round-trip UTC text, which also sorts correctly.
    /// </summary>
    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = Format(value);
        }

        public override DateTimeOffset Parse(object value) => ToDateTimeOffset(value);
    }

    /// <summary>A time column's value as Dapper reads it here (SQLite's round-trip text, PostgreSQL's timestamps).</summary>
    public static DateTimeOffset ToDateTimeOffset(object value) => value switch
    {
        string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        DateTimeOffset dto => dto,
        _ => throw new DataException($"Cannot convert {value.GetType()} to DateTimeOffset"),
    };

    public static string Format(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Hand-written row readers for the hot paths (Dapper's <c>GetRowParser</c> computes its cache key per call): the same conversions as above.</summary>
    public static class Column
    {
        public static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i) as string ?? Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture);

        public static long Number(DbDataReader r, int i) => r.GetValue(i) switch
        {
            long l => l,
            var v => Convert.ToInt64(v, CultureInfo.InvariantCulture),
        };

        public static long? NumberOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Number(r, i);

        public static bool Flag(DbDataReader r, int i) => !r.IsDBNull(i) && ToBoolean(r.GetValue(i));

        public static DateTimeOffset Time(DbDataReader r, int i) => ToDateTimeOffset(r.GetValue(i));
    }
}
