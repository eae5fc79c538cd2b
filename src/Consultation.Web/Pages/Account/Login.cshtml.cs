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
            return Refused();
        }
        await audit.WriteAsync(AuditActions.LoginFailed, Input.Email, actorId: user?.Id, actorEmail: Input.Email, ct: ct);
        return Refused();
    }

    /// <summary>
    /// One answer for a wrong password, an unknown address and a locked account, naming the lockout for whoever
    /// needs it: a separate "locked" message told anyone trying five passwords which addresses have accounts.
    /// </summary>
    private PageResult Refused()
    {
        ModelState.AddModelError(string.Empty, L["Invalid email or password. After five failed attempts in a row an account is locked for 15 minutes; you can reset your password at any time."]);
        return Page();
    }

    /// <summary>Only local return URLs are followed; anything else goes home.</summary>
    public static string SafeReturnUrl(IUrlHelper url, string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && url.IsLocalUrl(returnUrl) ? returnUrl : "/";
}
