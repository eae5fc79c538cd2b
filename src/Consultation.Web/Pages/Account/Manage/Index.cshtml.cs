using System.ComponentModel.DataAnnotations;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Account.Manage;

public sealed class IndexModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your name."), StringLength(200, ErrorMessage = "The name can be at most 200 characters.")]
        public string DisplayName { get; set; } = "";
        /// <summary>Empty: the zone of the user's organisation's country or language (Regional).</summary>
        [StringLength(64)]
        public string? TimeZone { get; set; }
    }

    /// <summary>The region's zones first (the same list the round form offers), and the user's own if it is another.</summary>
    public IEnumerable<string> TimeZoneChoices =>
        string.IsNullOrEmpty(Input.TimeZone) || Rounds.RoundForm.SuggestedTimeZones.Contains(Input.TimeZone)
            ? Rounds.RoundForm.SuggestedTimeZones
            : [Input.TimeZone, .. Rounds.RoundForm.SuggestedTimeZones];

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        Input.DisplayName = user.DisplayName;
        Input.TimeZone = user.TimeZone;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (Input.TimeZone is { Length: > 0 } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            ModelState.AddModelError("Input.TimeZone", L["Unknown time zone."]);
        if (!ModelState.IsValid) return Page();
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        user.DisplayName = Input.DisplayName.Trim();
        user.TimeZone = string.IsNullOrEmpty(Input.TimeZone) ? null : Input.TimeZone;
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            ModelState.AddModelError(string.Empty, L["Your account was changed elsewhere. Reload the page and try again."]);
            return Page();
        }
        await signIn.RefreshSignInAsync(user);
        StatusMessage = L["Profile saved."];
        return RedirectToPage();
    }
}
