using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Admin;

public sealed class IndexModel(PortalSettings settings, AuditLog audit, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public bool RequireTwoFactorForCoordinators { get; set; }
    [TempData] public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken ct) =>
        RequireTwoFactorForCoordinators = await settings.GetBoolAsync(PortalSettings.RequireTwoFactorForCoordinators, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await settings.SetBoolAsync(PortalSettings.RequireTwoFactorForCoordinators, RequireTwoFactorForCoordinators, ct);
        await audit.WriteAsync(AuditActions.SettingChanged, PortalSettings.RequireTwoFactorForCoordinators,
            RequireTwoFactorForCoordinators ? "true" : "false", ct: ct);
        StatusMessage = L["Settings saved."];
        return RedirectToPage();
    }
}
