using System.ComponentModel.DataAnnotations;
using Consultation.Web.Infrastructure;
using Consultation.Web.Infrastructure.Localization;
using Consultation.Web.Infrastructure.Mail;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Account;

/// <summary>Sends a reset link. The answer is the same whether or not the address exists (no account probing).</summary>
[AllowAnonymous, EnableRateLimiting(RateLimits.Sensitive)]
public sealed class ForgotPasswordModel(UserManager<AppUser> users, MailSender mail, AuditLog audit, PublicLinks links, IStringLocalizer<SharedResource> L, ILogger<ForgotPasswordModel> logger) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();
    public bool Sent { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your email address."), EmailAddress(ErrorMessage = "Enter a valid email address."), StringLength(254)]
        public string Email { get; set; } = "";
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return Page();
        Sent = true;
        var user = await users.FindByEmailAsync(Input.Email);
        // Invited (no password yet) or disabled by an administrator: no link, and the same answer as for anyone.
        if (user?.PasswordHash is null || user.DisabledAt is not null) return Page();

        var code = WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(await users.GeneratePasswordResetTokenAsync(user)));
        // The link names the language too, so the reset page opens in it before anyone signs in.
        // On the configured public address, never on the Host header this anonymous request chose (PublicLinks).
        var link = links.Absolute(Request, Url.Page("/Account/ResetPassword", new { userId = user.Id, code, culture = user.Culture })!);
        await audit.WriteAsync(AuditActions.PasswordResetRequested, $"user:{user.Id}", actorId: user.Id, actorEmail: user.Email, ct: ct);
        // In the account's saved language, not the language of whoever asked (the form is open to anyone).
        MailMessage message;
        using (CultureScope.Use(user.Culture))
        {
            message = new MailMessage(user.Email, L["Reset your Consultation password"],
                string.Join("\n\n",
                    L["Someone asked to reset the password of your Consultation account."],
                    L["Open this link within 2 hours to choose a new password:"] + "\n" + link,
                    L["If it was not you, ignore this message; your password stays as it is."]));
        }
        try
        {
            await mail.SendAsync(message, ct);
        }
        catch (Exception ex) when (ex is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or IOException or System.Net.Sockets.SocketException)
        {
            logger.LogError(ex, "Password reset mail to user {UserId} could not be sent", user.Id);
        }
        return Page();
    }
}
