using System.Data.Common;
using Dapper;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Organisations;

public sealed class EditModel(Db db, AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public OrganisationInput Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }
    public long Id { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        Id = id;
        await using var conn = await db.OpenAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<OrganisationInput>(new CommandDefinition(
            "SELECT name, category, country, contact_email FROM organisations WHERE id = @id", new { id }, cancellationToken: ct));
        if (row is null) return NotFound();
        Input = row;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        Id = id;
        if (!ModelState.IsValid) return Page();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        int n;
        try
        {
            n = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE organisations SET name = @Name, category = @Category, country = @Country,
                       contact_email = @ContactEmail, updated_at = @Now
                 WHERE id = @Id
                """, Input.ToParameters(id, clock.GetUtcNow()), tx, cancellationToken: ct));
        }
        catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            ModelState.AddModelError("Input.Name", L["An organisation with this name already exists."]);
            return Page();
        }
        if (n == 0) return NotFound();
        await audit.WriteAsync(AuditActions.OrganisationUpdated, $"organisation:{id}", $"{Input.Name} ({Input.Category})", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Organisation saved."];
        return RedirectToPage("./Details", new { id });
    }
}
