using System.ComponentModel.DataAnnotations;
using System.Text;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Account;

[AllowAnonymous, EnableRateLimiting(RateLimits.Sensitive)]
public sealed class ResetPasswordModel(UserManager<AppUser> users, AuditLog audit, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();

    public sealed class InputModel
    {
        public string UserId { get; set; } = "";
        public string Code { get; set; } = "";
        [Required(ErrorMessage = "Choose a password."), DataType(DataType.Password), StringLength(200)]
        public string Password { get; set; } = "";
        [DataType(DataType.Password), Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
        public string? ConfirmPassword { get; set; }
    }

    public void OnGet(string? userId, string? code)
    {
        Input.UserId = userId ?? "";
        Input.Code = code ?? "";
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return Page();
        var user = await users.FindByIdAsync(Input.UserId);
        string token;
        try { token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(Input.Code)); }
        catch (FormatException) { token = ""; }
        if (user is null || token.Length == 0)
        {
            ModelState.AddModelError(string.Empty, L["This reset link is not valid or has expired. Ask for a new one."]);
            return Page();
        }
        var result = await users.ResetPasswordAsync(user, token, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
                ModelState.AddModelError(e.Code == "InvalidToken" ? string.Empty : "Input.Password",
                    e.Code == "InvalidToken" ? L["This reset link is not valid or has expired. Ask for a new one."] : L[e.Description]);
            return Page();
        }
        // A successful reset proves control of the mailbox: clear a lockout the failed attempts caused.
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await audit.WriteAsync(AuditActions.PasswordReset, $"user:{user.Id}", actorId: user.Id, actorEmail: user.Email, ct: ct);
        TempData["StatusMessage"] = L["Your password has been reset. Sign in with the new one."].Value;
        return RedirectToPage("./Login");
    }
}
