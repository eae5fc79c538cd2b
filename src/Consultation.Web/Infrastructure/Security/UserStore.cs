using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// Identity's user store over Dapper. The user name is the e-mail address. Every write checks the
/// concurrency stamp, so two admins editing one account cannot silently overwrite each other.
/// </summary>
public sealed class UserStore(Db db, TimeProvider clock) :
    IUserPasswordStore<AppUser>, IUserEmailStore<AppUser>, IUserRoleStore<AppUser>, IUserLockoutStore<AppUser>,
    IUserSecurityStampStore<AppUser>, IUserTwoFactorStore<AppUser>, IUserAuthenticatorKeyStore<AppUser>,
    IUserTwoFactorRecoveryCodeStore<AppUser>
{
    private const string Columns = """
        id, email, normalized_email, display_name, password_hash, security_stamp, concurrency_stamp,
        email_confirmed, lockout_enabled, lockout_end, access_failed_count, two_factor_enabled,
        authenticator_key, recovery_codes, must_change_password, organisation_id, culture, time_zone, created_at, disabled_at
        """;

    public void Dispose() { }

    public async Task<IdentityResult> CreateAsync(AppUser user, CancellationToken ct)
    {
        user.CreatedAt = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        user.Id = await conn.ExecuteScalarAsync<long>($"""
            INSERT INTO users (email, normalized_email, display_name, password_hash, security_stamp, concurrency_stamp,
                email_confirmed, lockout_enabled, lockout_end, access_failed_count, two_factor_enabled,
                authenticator_key, recovery_codes, must_change_password, organisation_id, culture, time_zone, created_at)
            VALUES (@Email, @NormalizedEmail, @DisplayName, @PasswordHash, @SecurityStamp, @ConcurrencyStamp,
                @EmailConfirmed, @LockoutEnabled, @LockoutEnd, @AccessFailedCount, @TwoFactorEnabled,
                @AuthenticatorKey, @RecoveryCodes, @MustChangePassword, @OrganisationId, @Culture, @TimeZone, @CreatedAt)
            RETURNING id
            """, user);
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(AppUser user, CancellationToken ct)
    {
        var expected = user.ConcurrencyStamp;
        var next = Guid.NewGuid().ToString("N");
        await using var conn = await db.OpenAsync(ct);
        var n = await conn.ExecuteAsync("""
            UPDATE users SET email = @Email, normalized_email = @NormalizedEmail, display_name = @DisplayName,
                password_hash = @PasswordHash, security_stamp = @SecurityStamp, concurrency_stamp = @Next,
                email_confirmed = @EmailConfirmed, lockout_enabled = @LockoutEnabled, lockout_end = @LockoutEnd,
                access_failed_count = @AccessFailedCount, two_factor_enabled = @TwoFactorEnabled,
                authenticator_key = @AuthenticatorKey, recovery_codes = @RecoveryCodes,
                must_change_password = @MustChangePassword, organisation_id = @OrganisationId, culture = @Culture,
                time_zone = @TimeZone
             WHERE id = @Id AND concurrency_stamp = @Expected
            """, new
        {
            user.Email, user.NormalizedEmail, user.DisplayName, user.PasswordHash, user.SecurityStamp, Next = next,
            user.EmailConfirmed, user.LockoutEnabled, user.LockoutEnd, user.AccessFailedCount, user.TwoFactorEnabled,
            user.AuthenticatorKey, user.RecoveryCodes, user.MustChangePassword, user.OrganisationId, user.Culture,
            user.TimeZone, user.Id, Expected = expected,
        });
        if (n == 0) return IdentityResult.Failed(new IdentityErrorDescriber().ConcurrencyFailure());
        user.ConcurrencyStamp = next;
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> DeleteAsync(AppUser user, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync("DELETE FROM users WHERE id = @Id", new { user.Id });
        return IdentityResult.Success;
    }

    public async Task<AppUser?> FindByIdAsync(string userId, CancellationToken ct)
    {
        if (!long.TryParse(userId, out var id)) return null;
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<AppUser>($"SELECT {Columns} FROM users WHERE id = @id", new { id });
    }

    public async Task<AppUser?> FindByNameAsync(string normalizedUserName, CancellationToken ct) =>
        await FindByEmailAsync(normalizedUserName, ct);

    public async Task<AppUser?> FindByEmailAsync(string normalizedEmail, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<AppUser>(
            $"SELECT {Columns} FROM users WHERE normalized_email = @normalizedEmail", new { normalizedEmail });
    }

    public Task<string> GetUserIdAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public Task<string?> GetUserNameAsync(AppUser user, CancellationToken ct) => Task.FromResult<string?>(user.Email);
    public Task SetUserNameAsync(AppUser user, string? userName, CancellationToken ct) { user.Email = userName ?? ""; return Task.CompletedTask; }
    public Task<string?> GetNormalizedUserNameAsync(AppUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedUserNameAsync(AppUser user, string? normalizedName, CancellationToken ct) { user.NormalizedEmail = normalizedName ?? ""; return Task.CompletedTask; }

    public Task SetPasswordHashAsync(AppUser user, string? passwordHash, CancellationToken ct) { user.PasswordHash = passwordHash; return Task.CompletedTask; }
    public Task<string?> GetPasswordHashAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash);
    public Task<bool> HasPasswordAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash is not null);

    public Task SetEmailAsync(AppUser user, string? email, CancellationToken ct) { user.Email = email ?? ""; return Task.CompletedTask; }
    public Task<string?> GetEmailAsync(AppUser user, CancellationToken ct) => Task.FromResult<string?>(user.Email);
    public Task<bool> GetEmailConfirmedAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.EmailConfirmed);
    public Task SetEmailConfirmedAsync(AppUser user, bool confirmed, CancellationToken ct) { user.EmailConfirmed = confirmed; return Task.CompletedTask; }
    public Task<string?> GetNormalizedEmailAsync(AppUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedEmailAsync(AppUser user, string? normalizedEmail, CancellationToken ct) { user.NormalizedEmail = normalizedEmail ?? ""; return Task.CompletedTask; }

    public async Task AddToRoleAsync(AppUser user, string normalizedRoleName, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var n = await conn.ExecuteAsync("""
            INSERT INTO user_roles (user_id, role_id)
            SELECT @UserId, id FROM roles WHERE normalized_name = @normalizedRoleName
            ON CONFLICT DO NOTHING
            """, new { UserId = user.Id, normalizedRoleName });
        if (n == 0 && !await IsInRoleAsync(user, normalizedRoleName, ct))
            throw new InvalidOperationException($"Unknown role {normalizedRoleName}.");
    }

    public async Task RemoveFromRoleAsync(AppUser user, string normalizedRoleName, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync("""
            DELETE FROM user_roles WHERE user_id = @UserId
               AND role_id = (SELECT id FROM roles WHERE normalized_name = @normalizedRoleName)
            """, new { UserId = user.Id, normalizedRoleName });
    }

    public async Task<IList<string>> GetRolesAsync(AppUser user, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<string>("""
            SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = @Id ORDER BY r.id
            """, new { user.Id })).ToList();
    }

    public async Task<bool> IsInRoleAsync(AppUser user, string normalizedRoleName, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
             WHERE ur.user_id = @Id AND r.normalized_name = @normalizedRoleName
            """, new { user.Id, normalizedRoleName }) > 0;
    }

    public async Task<IList<AppUser>> GetUsersInRoleAsync(string normalizedRoleName, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return (await conn.QueryAsync<AppUser>($"""
            SELECT {Columns} FROM users WHERE id IN (
                SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.normalized_name = @normalizedRoleName)
            ORDER BY email
            """, new { normalizedRoleName })).ToList();
    }

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnd);
    public Task SetLockoutEndDateAsync(AppUser user, DateTimeOffset? lockoutEnd, CancellationToken ct) { user.LockoutEnd = lockoutEnd; return Task.CompletedTask; }
    public Task<int> IncrementAccessFailedCountAsync(AppUser user, CancellationToken ct) => Task.FromResult(++user.AccessFailedCount);
    public Task ResetAccessFailedCountAsync(AppUser user, CancellationToken ct) { user.AccessFailedCount = 0; return Task.CompletedTask; }
    public Task<int> GetAccessFailedCountAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.AccessFailedCount);
    public Task<bool> GetLockoutEnabledAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnabled);
    public Task SetLockoutEnabledAsync(AppUser user, bool enabled, CancellationToken ct) { user.LockoutEnabled = enabled; return Task.CompletedTask; }

    public Task SetSecurityStampAsync(AppUser user, string stamp, CancellationToken ct) { user.SecurityStamp = stamp; return Task.CompletedTask; }
    public Task<string?> GetSecurityStampAsync(AppUser user, CancellationToken ct) => Task.FromResult<string?>(user.SecurityStamp);

    public Task SetTwoFactorEnabledAsync(AppUser user, bool enabled, CancellationToken ct) { user.TwoFactorEnabled = enabled; return Task.CompletedTask; }
    public Task<bool> GetTwoFactorEnabledAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.TwoFactorEnabled);

    public Task SetAuthenticatorKeyAsync(AppUser user, string key, CancellationToken ct) { user.AuthenticatorKey = key; return Task.CompletedTask; }
    public Task<string?> GetAuthenticatorKeyAsync(AppUser user, CancellationToken ct) => Task.FromResult(user.AuthenticatorKey);

    public Task ReplaceCodesAsync(AppUser user, IEnumerable<string> recoveryCodes, CancellationToken ct)
    {
        user.RecoveryCodes = string.Join(';', recoveryCodes);
        return Task.CompletedTask;
    }

    public async Task<bool> RedeemCodeAsync(AppUser user, string code, CancellationToken ct)
    {
        var codes = (user.RecoveryCodes ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (!codes.Remove(code)) return false;
        await ReplaceCodesAsync(user, codes, ct);
        return true;
    }

    public Task<int> CountCodesAsync(AppUser user, CancellationToken ct) =>
        Task.FromResult((user.RecoveryCodes ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries).Length);
}
