using Dapper;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages;

/// <summary>The landing page: an introduction when anonymous, role-aware entry points when signed in.</summary>
public sealed class IndexModel(Db db, CurrentUser user) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public string? OrganisationName { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (user.OrganisationId is not { } org) return;
        await using var conn = await db.OpenAsync(ct);
        OrganisationName = await conn.ExecuteScalarAsync<string?>("SELECT name FROM organisations WHERE id = @org", new { org });
    }
}
