using System.ComponentModel.DataAnnotations;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Account;

[AllowAnonymous, EnableRateLimiting(RateLimits.Sensitive)]
public sealed class LoginWithRecoveryCodeModel(SignInManager<AppUser> signIn, AuditLog audit, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter a recovery code."), StringLength(40)]
        public string RecoveryCode { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("./Login") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return Page();
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return RedirectToPage("./Login");
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(Input.RecoveryCode.Replace(" ", "", StringComparison.Ordinal));
        if (result.Succeeded)
        {
            await audit.WriteAsync(AuditActions.LoginSucceeded, user.Email, "recovery code", actorId: user.Id, actorEmail: user.Email, ct: ct);
            return LocalRedirect(LoginModel.SafeReturnUrl(Url, ReturnUrl));
        }
        await audit.WriteAsync(AuditActions.LoginFailed, user.Email, "recovery code", actorId: user.Id, actorEmail: user.Email, ct: ct);
        ModelState.AddModelError(string.Empty, L["That recovery code is not valid."]);
        return Page();
    }
}
