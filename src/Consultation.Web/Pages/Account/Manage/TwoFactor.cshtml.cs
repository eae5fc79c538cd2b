using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using QRCoder;

namespace Consultation.Web.Pages.Account.Manage;

/// <summary>TOTP two-factor sign-in with an authenticator app (QR code), and recovery codes.</summary>
public sealed class TwoFactorModel(
    UserManager<AppUser> users, SignInManager<AppUser> signIn, PortalSettings settings, AuditLog audit,
    CurrentUser me, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public string? Code { get; set; }
    [TempData] public string? StatusMessage { get; set; }
    /// <summary>A message for this very response (a TempData one shown now would show again on the next page).</summary>
    public string? Notice { get; private set; }
    public bool Enabled { get; private set; }
    public bool Required { get; private set; }
    public int RecoveryCodesLeft { get; private set; }
    public string SharedKey { get; private set; } = "";
    public string QrCodeDataUri { get; private set; } = "";
    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        await LoadAsync(user, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostEnableAsync(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        var code = (Code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (code.Length == 0 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            ModelState.AddModelError(nameof(Code), L["The code is not valid. Check the time on your phone and try again."]);
            await LoadAsync(user, ct);
            return Page();
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))?.ToList();
        await signIn.RefreshSignInAsync(user);
        await audit.WriteAsync(AuditActions.TwoFactorEnabled, $"user:{user.Id}", ct: ct);
        Notice = L["Two-factor sign-in is on."];
        await LoadAsync(user, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRecoveryCodesAsync(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        if (!user.TwoFactorEnabled) return RedirectToPage();
        RecoveryCodes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 10))?.ToList();
        await LoadAsync(user, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return Challenge();
        if (await IsRequiredAsync(ct))
        {
            StatusMessage = L["Two-factor sign-in is required for coordinators and cannot be turned off."];
            return RedirectToPage();
        }
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        await audit.WriteAsync(AuditActions.TwoFactorDisabled, $"user:{user.Id}", ct: ct);
        StatusMessage = L["Two-factor sign-in is off."];
        return RedirectToPage();
    }

    private async Task<bool> IsRequiredAsync(CancellationToken ct) =>
        me.IsInRole(Roles.Coordinator) && await settings.GetBoolAsync(PortalSettings.RequireTwoFactorForCoordinators, ct);

    private async Task LoadAsync(AppUser user, CancellationToken ct)
    {
        Enabled = user.TwoFactorEnabled;
        Required = await IsRequiredAsync(ct);
        RecoveryCodesLeft = await users.CountRecoveryCodesAsync(user);
        if (Enabled) return;
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            // A new key renews the security stamp, which every request checks: re-issue this session's cookie.
            await signIn.RefreshSignInAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
        }
        SharedKey = string.Join(' ', key!.ToLowerInvariant().Chunk(4).Select(c => new string(c)));
        var uri = $"otpauth://totp/{Uri.EscapeDataString("Consultation:" + user.Email)}?secret={key}&issuer=Consultation&digits=6";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
    }
}
