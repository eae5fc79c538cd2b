using Consultation.Testing;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Consultation.Browser.Tests.Infrastructure;

/// <summary>Rows a workshop test needs before its facilitator opens the browser, written straight into the portal's SQLite file.</summary>
internal static class RoundSeed
{
    /// <summary>An open round (2026–2030) with <paramref name="crimeAreas"/>, for a workshop to be created in; returns its id.</summary>
    public static async Task<long> OpenRoundAsync(PortalFactory app, string title, params string[] crimeAreas)
    {
        await using var conn = new SqliteConnection($"Data Source={app.DatabasePath};Foreign Keys=true");
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO rounds (title, opens_at, closes_at, status, min_organisations, created_at, updated_at)
            VALUES (@title, '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'Open', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z') RETURNING id
            """, new { title });
        foreach (var code in crimeAreas)
            await conn.ExecuteAsync("INSERT INTO round_crime_areas (round_id, crime_area_code) VALUES (@id, @code)", new { id, code });
        return id;
    }
}
