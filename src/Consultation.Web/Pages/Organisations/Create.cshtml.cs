using System.Data.Common;
using Dapper;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Organisations;

public sealed class CreateModel(Db db, AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public OrganisationInput Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return Page();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long id;
        try
        {
            id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO organisations (name, category, country, contact_email, created_at, updated_at)
                VALUES (@Name, @Category, @Country, @ContactEmail, @Now, @Now) RETURNING id
                """, Input.ToParameters(0, clock.GetUtcNow()), tx, cancellationToken: ct));
        }
        catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            ModelState.AddModelError("Input.Name", L["An organisation with this name already exists."]);
            return Page();
        }
        await audit.WriteAsync(AuditActions.OrganisationCreated, $"organisation:{id}", $"{Input.Name} ({Input.Category})", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Organisation created."];
        return RedirectToPage("./Details", new { id });
    }
}
