using Dapper;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Admin;

/// <summary>Administrators see every account and grant or withdraw roles (audited).</summary>
public sealed class UsersModel(Db db, CurrentUser me, AuditLog audit, IStringLocalizer<SharedResource> L) : PageModel
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
        public bool TwoFactorEnabled { get; init; }
        public string? Roles { get; init; }
        public IReadOnlyList<string> RoleList => (Roles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public Task<IActionResult> OnPostAddRoleAsync(long userId, string role, CancellationToken ct) => ChangeRoleAsync(userId, role, add: true, ct);

    public Task<IActionResult> OnPostRemoveRoleAsync(long userId, string role, CancellationToken ct) => ChangeRoleAsync(userId, role, add: false, ct);

    private async Task<IActionResult> ChangeRoleAsync(long userId, string role, bool add, CancellationToken ct)
    {
        if (!Roles.IsKnown(role)) return BadRequest();
        if (!add && userId == me.Id && role == Roles.Administrator)
        {
            ErrorMessage = L["You cannot remove your own administrator role."];
            await LoadAsync(ct);
            return Page();
        }
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var email = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("SELECT email FROM users WHERE id = @userId", new { userId }, tx, cancellationToken: ct));
        if (email is null) return NotFound();
        var sql = add
            ? "INSERT INTO user_roles (user_id, role_id) SELECT @userId, id FROM roles WHERE name = @role ON CONFLICT DO NOTHING"
            : "DELETE FROM user_roles WHERE user_id = @userId AND role_id = (SELECT id FROM roles WHERE name = @role)";
        var n = await conn.ExecuteAsync(new CommandDefinition(sql, new { userId, role }, tx, cancellationToken: ct));
        if (n > 0)
        {
            // A new security stamp makes the changed roles take effect at the user's next request.
            await conn.ExecuteAsync(new CommandDefinition("UPDATE users SET security_stamp = @Stamp WHERE id = @userId",
                new { Stamp = Guid.NewGuid().ToString("N"), userId }, tx, cancellationToken: ct));
            await audit.WriteAsync(add ? AuditActions.RoleAdded : AuditActions.RoleRemoved, $"user:{userId}", $"{email}: {role}", conn, tx, ct: ct);
        }
        await tx.CommitAsync(ct);
        StatusMessage = add ? L["Role {0} given to {1}.", L["Role." + role].Value, email] : L["Role {0} removed from {1}.", L["Role." + role].Value, email];
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        Rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT u.id, u.email, u.display_name, o.name AS organisation_name, u.password_hash, u.lockout_end, u.two_factor_enabled,
                   (SELECT string_agg(r.name, ',' ORDER BY r.id) FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id) AS roles
              FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id
             ORDER BY u.email
            """, cancellationToken: ct))).ToList();
    }
}
