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
public sealed class LoginWith2faModel(SignInManager<AppUser> signIn, AuditLog audit, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty(SupportsGet = true)] public bool RememberMe { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the code."), StringLength(7, MinimumLength = 6, ErrorMessage = "The code has 6 digits.")]
        public string Code { get; set; } = "";
        public bool RememberMachine { get; set; }
    }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("./Login") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return Page();
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return RedirectToPage("./Login");
        var code = Input.Code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, RememberMe, Input.RememberMachine);
        if (result.Succeeded)
        {
            await audit.WriteAsync(AuditActions.LoginSucceeded, user.Email, "two-factor", actorId: user.Id, actorEmail: user.Email, ct: ct);
            return LocalRedirect(LoginModel.SafeReturnUrl(Url, ReturnUrl));
        }
        await audit.WriteAsync(result.IsLockedOut ? AuditActions.LockedOut : AuditActions.LoginFailed, user.Email, "two-factor", actorId: user.Id, actorEmail: user.Email, ct: ct);
        ModelState.AddModelError(string.Empty, result.IsLockedOut
            ? L["This account is locked after too many failed sign-in attempts. Try again in 15 minutes or reset your password."]
            : L["The code is not valid. Check the time on your phone and try again."]);
        return Page();
    }
}
