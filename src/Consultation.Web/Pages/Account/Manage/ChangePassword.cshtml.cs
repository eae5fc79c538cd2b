using System.ComponentModel.DataAnnotations;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Account.Manage;

public sealed class ChangePasswordModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, AuditLog audit, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }
    public bool Forced { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your current password."), DataType(DataType.Password)]
        public string OldPassword { get; set; } = "";
        [Required(ErrorMessage = "Choose a password."), DataType(DataType.Password), StringLength(200)]
        public string NewPassword { get; set; } = "";
        [DataType(DataType.Password), Compare(nameof(NewPassword), ErrorMessage = "The passwords do not match.")]
        public string? ConfirmPassword { get; set; }
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        Forced = user.MustChangePassword;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        Forced = user.MustChangePassword;
        if (!ModelState.IsValid) return Page();
        var result = await users.ChangePasswordAsync(user, Input.OldPassword, Input.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
                ModelState.AddModelError(e.Code == "PasswordMismatch" ? "Input.OldPassword" : "Input.NewPassword", L[e.Description]);
            return Page();
        }
        if (user.MustChangePassword)
        {
            user.MustChangePassword = false;
            await users.UpdateAsync(user);
        }
        await signIn.RefreshSignInAsync(user);
        await audit.WriteAsync(AuditActions.PasswordChanged, $"user:{user.Id}", ct: ct);
        TempData["StatusMessage"] = L["Your password has been changed."].Value;
        return RedirectToPage("/Index");
    }
}
