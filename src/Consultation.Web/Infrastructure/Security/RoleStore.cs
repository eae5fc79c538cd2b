using Dapper;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>Roles are the fixed set seeded by migration 0001; this store only reads them.</summary>
public sealed class RoleStore(Db db) : IRoleStore<AppRole>
{
    public void Dispose() { }

    public Task<IdentityResult> CreateAsync(AppRole role, CancellationToken ct) =>
        Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "FixedRoles", Description = "Roles are fixed." }));
    public Task<IdentityResult> UpdateAsync(AppRole role, CancellationToken ct) => CreateAsync(role, ct);
    public Task<IdentityResult> DeleteAsync(AppRole role, CancellationToken ct) => CreateAsync(role, ct);

    public async Task<AppRole?> FindByIdAsync(string roleId, CancellationToken ct)
    {
        if (!long.TryParse(roleId, out var id)) return null;
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<AppRole>("SELECT id, name, normalized_name FROM roles WHERE id = @id", new { id });
    }

    public async Task<AppRole?> FindByNameAsync(string normalizedRoleName, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<AppRole>(
            "SELECT id, name, normalized_name FROM roles WHERE normalized_name = @normalizedRoleName", new { normalizedRoleName });
    }

    public Task<string> GetRoleIdAsync(AppRole role, CancellationToken ct) => Task.FromResult(role.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public Task<string?> GetRoleNameAsync(AppRole role, CancellationToken ct) => Task.FromResult<string?>(role.Name);
    public Task SetRoleNameAsync(AppRole role, string? roleName, CancellationToken ct) { role.Name = roleName ?? ""; return Task.CompletedTask; }
    public Task<string?> GetNormalizedRoleNameAsync(AppRole role, CancellationToken ct) => Task.FromResult<string?>(role.NormalizedName);
    public Task SetNormalizedRoleNameAsync(AppRole role, string? normalizedName, CancellationToken ct) { role.NormalizedName = normalizedName ?? ""; return Task.CompletedTask; }
}
