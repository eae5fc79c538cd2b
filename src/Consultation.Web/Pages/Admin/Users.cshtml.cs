using Dapper;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Admin;

/// <summary>Administrators see every account, grant or withdraw roles, and disable or enable accounts (all audited).</summary>
public sealed class UsersModel(Db db, CurrentUser me, AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public string? ErrorMessage { get; private set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public sealed record Row
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string? OrganisationName { get; init; }
        public string? PasswordHash { get; init; }
        public DateTimeOffset? LockoutEnd { get; init; }
        public string? DisabledAt { get; init; }
        public bool TwoFactorEnabled { get; init; }
        public string? Roles { get; init; }
        public IReadOnlyList<string> RoleList => (Roles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public Task<IActionResult> OnPostAddRoleAsync(long userId, string role, CancellationToken ct) => ChangeRoleAsync(userId, role, add: true, ct);

    public Task<IActionResult> OnPostRemoveRoleAsync(long userId, string role, CancellationToken ct) => ChangeRoleAsync(userId, role, add: false, ct);

    /// <summary>Lifts the lock after too many failed sign-ins (before its 15 minutes are up): the password works again at once.</summary>
    public Task<IActionResult> OnPostUnlockAsync(long userId, CancellationToken ct) => ChangeAccountAsync(userId, async (conn, tx, email) =>
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET lockout_end = NULL, access_failed_count = 0 WHERE id = @userId AND (lockout_end IS NOT NULL OR access_failed_count > 0)",
            new { userId }, tx, cancellationToken: ct)) > 0 ? (AuditActions.UserUnlocked, email) : null,
        email => L["{0} can sign in again.", email], ct);

    public Task<IActionResult> OnPostDisableAsync(long userId, CancellationToken ct) => SetDisabledAsync(userId, disable: true, ct);

    public Task<IActionResult> OnPostEnableAsync(long userId, CancellationToken ct) => SetDisabledAsync(userId, disable: false, ct);

    /// <summary>
    /// Disabling ends the account's sessions at their next request (a new security stamp, and the stamp check
    /// refuses a disabled account) and stops it signing in; nothing of its history changes. Enabling lets it sign in
    /// again with its password. An administrator cannot disable their own account.
    /// </summary>
    private async Task<IActionResult> SetDisabledAsync(long userId, bool disable, CancellationToken ct)
    {
        if (disable && userId == me.Id)
        {
            ErrorMessage = L["You cannot disable your own account."];
            await LoadAsync(ct);
            return Page();
        }
        return await ChangeAccountAsync(userId, async (conn, tx, email) =>
        {
            var n = disable
                ? await conn.ExecuteAsync(new CommandDefinition(
                    "UPDATE users SET disabled_at = @Now, security_stamp = @Stamp WHERE id = @userId AND disabled_at IS NULL",
                    new { Now = DapperSetup.Format(clock.GetUtcNow()), Stamp = Guid.NewGuid().ToString("N"), userId }, tx, cancellationToken: ct))
                : await conn.ExecuteAsync(new CommandDefinition(
                    "UPDATE users SET disabled_at = NULL WHERE id = @userId AND disabled_at IS NOT NULL", new { userId }, tx, cancellationToken: ct));
            return n > 0 ? (disable ? AuditActions.UserDisabled : AuditActions.UserEnabled, email) : null;
        }, email => disable ? L["{0} is disabled: signed out everywhere and cannot sign in.", email] : L["{0} can sign in again.", email], ct);
    }

    private async Task<IActionResult> ChangeRoleAsync(long userId, string role, bool add, CancellationToken ct)
    {
        if (!Roles.IsKnown(role)) return BadRequest();
        if (!add && userId == me.Id && role == Roles.Administrator)
        {
            ErrorMessage = L["You cannot remove your own administrator role."];
            await LoadAsync(ct);
            return Page();
        }
        return await ChangeAccountAsync(userId, async (conn, tx, email) =>
        {
            var sql = add
                ? "INSERT INTO user_roles (user_id, role_id) SELECT @userId, id FROM roles WHERE name = @role ON CONFLICT DO NOTHING"
                : "DELETE FROM user_roles WHERE user_id = @userId AND role_id = (SELECT id FROM roles WHERE name = @role)";
            if (await conn.ExecuteAsync(new CommandDefinition(sql, new { userId, role }, tx, cancellationToken: ct)) == 0) return null;
            // A new security stamp makes the changed roles take effect at the user's next request.
            await conn.ExecuteAsync(new CommandDefinition("UPDATE users SET security_stamp = @Stamp WHERE id = @userId",
                new { Stamp = Guid.NewGuid().ToString("N"), userId }, tx, cancellationToken: ct));
            return (add ? AuditActions.RoleAdded : AuditActions.RoleRemoved, $"{email}: {role}");
        }, email => add ? L["Role {0} given to {1}.", L["Role." + role].Value, email] : L["Role {0} removed from {1}.", L["Role." + role].Value, email], ct);
    }

    /// <summary>
    /// One change to an account, in a transaction with its audit entry: 404 when there is no such account. The change
    /// returns the audit action and details, or null when it changed nothing (then nothing is audited).
    /// </summary>
    private async Task<IActionResult> ChangeAccountAsync(long userId,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, string, Task<(string Action, string Details)?>> change,
        Func<string, string> message, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var email = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT email FROM users WHERE id = @userId", new { userId }, tx, cancellationToken: ct));
        if (email is null) return NotFound();
        if (await change(conn, tx, email) is { } done) await audit.WriteAsync(done.Action, $"user:{userId}", done.Details, conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = message(email);
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        Rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT u.id, u.email, u.display_name, o.name AS organisation_name, u.password_hash, u.lockout_end, u.disabled_at, u.two_factor_enabled,
                   (SELECT string_agg(r.name, ',' ORDER BY r.id) FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id) AS roles
              FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
             ORDER BY u.email
            """, cancellationToken: ct))).ToList();
    }
}
