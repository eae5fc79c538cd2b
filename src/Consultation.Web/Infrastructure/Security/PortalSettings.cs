using Dapper;
using Consultation.Web.Infrastructure.Data;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>Settings an administrator changes at run time, stored in the <c>settings</c> table.</summary>
public sealed class PortalSettings(Db db, TimeProvider clock)
{
    public const string RequireTwoFactorForCoordinators = "security.require_2fa_coordinators";

    public async Task<bool> GetBoolAsync(string key, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteScalarAsync<string?>("SELECT value FROM settings WHERE key = @key", new { key }) == "true";
    }

    public async Task SetBoolAsync(string key, bool value, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync("""
            INSERT INTO settings (key, value, updated_at) VALUES (@key, @Value, @Now)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
            """, new { key, Value = value ? "true" : "false", Now = clock.GetUtcNow() });
    }
}
