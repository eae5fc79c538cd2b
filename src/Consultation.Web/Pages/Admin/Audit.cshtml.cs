using Dapper;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Admin;

public sealed class AuditModel(Db db) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];
    public IReadOnlyList<string> Actions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        Actions = (await conn.QueryAsync<string>(new CommandDefinition("SELECT DISTINCT action FROM audit_log ORDER BY action", cancellationToken: ct))).ToList();
        Entries = (await conn.QueryAsync<AuditEntry>(new CommandDefinition("""
            SELECT id, occurred_at, actor_user_id, actor_email, action, target, details, ip FROM audit_log
             WHERE (@Action IS NULL OR @Action = '' OR action = @Action)
             ORDER BY id DESC LIMIT 200
            """, new { Action }, cancellationToken: ct))).ToList();
    }
}
