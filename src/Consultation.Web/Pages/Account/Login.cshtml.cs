using System.ComponentModel.DataAnnotations;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Account;

[AllowAnonymous, EnableRateLimiting(RateLimits.Sensitive)]
public sealed class LoginModel(SignInManager<AppUser> signIn, UserManager<AppUser> users, AuditLog audit, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [TempData] public string? StatusMessage { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address."), EmailAddress(ErrorMessage = "Enter a valid email address."), StringLength(254)]
        public string Email { get; set; } = "";
        [Required(ErrorMessage = "Enter your password."), DataType(DataType.Password), StringLength(200)]
        public string Password { get; set; } = "";
        public bool RememberMe { get; set; }
    }

    public async Task OnGetAsync() => await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return Page();
        var result = await signIn.PasswordSignInAsync(Input.Email, Input.Password, Input.RememberMe, lockoutOnFailure: true);
        var user = await users.FindByEmailAsync(Input.Email);
        if (result.Succeeded)
        {
            await audit.WriteAsync(AuditActions.LoginSucceeded, Input.Email, actorId: user?.Id, actorEmail: Input.Email, ct: ct);
            return LocalRedirect(SafeReturnUrl(Url, ReturnUrl));
        }
        if (result.RequiresTwoFactor)
            return RedirectToPage("./LoginWith2fa", new { ReturnUrl, Input.RememberMe });
        if (result.IsLockedOut)
        {
            await audit.WriteAsync(AuditActions.LockedOut, Input.Email, actorId: user?.Id, actorEmail: Input.Email, ct: ct);
            ModelState.AddModelError(string.Empty, L["This account is locked after too many failed sign-in attempts. Try again in 15 minutes or reset your password."]);
            return Page();
        }
        await audit.WriteAsync(AuditActions.LoginFailed, Input.Email, actorId: user?.Id, actorEmail: Input.Email, ct: ct);
        ModelState.AddModelError(string.Empty, L["Invalid email or password."]);
        return Page();
    }

    /// <summary>Only local return URLs are followed; anything else goes home.</summary>
    public static string SafeReturnUrl(IUrlHelper url, string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && url.IsLocalUrl(returnUrl) ? returnUrl : "/";
}
