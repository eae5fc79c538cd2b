using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Account;

[AllowAnonymous]
public sealed class LogoutModel(SignInManager<AppUser> signIn, AuditLog audit, CurrentUser user, IStringLocalizer<SharedResource> L) : PageModel
{
    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (user.IsAuthenticated) await audit.WriteAsync(AuditActions.Logout, user.Email, ct: ct);
        await signIn.SignOutAsync();
        TempData["StatusMessage"] = L["You have signed out."].Value;
        return RedirectToPage("/Account/Login");
    }
}
