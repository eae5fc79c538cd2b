using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Web.Infrastructure;
using Consultation.Web.Infrastructure.Localization;
using Dapper;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Mail;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Organisations;

/// <summary>An organisation's members and pending invitations; coordinators invite people here.</summary>
public sealed class DetailsModel(
    Db db, CurrentUser me, AuditLog audit, MailSender mail, PublicLinks links, ILookupNormalizer normalizer, TimeProvider clock,
    IStringLocalizer<SharedResource> L, ILogger<DetailsModel> logger) : PageModel
{
    [BindProperty] public InviteInput Invite { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }
    public string? ErrorMessage { get; private set; }
    public OrganisationRow Organisation { get; private set; } = new();
    public IReadOnlyList<MemberRow> Members { get; private set; } = [];
    public IReadOnlyList<PendingRow> Pending { get; private set; } = [];

    /// <summary>Only administrators may hand out the administrator role.</summary>
    public IReadOnlyList<string> InvitableRoles => me.IsAdministrator ? Roles.All : Roles.All.Where(r => r != Roles.Administrator).ToList();

    public sealed class InviteInput
    {
        [Required(ErrorMessage = "Enter the person's email address."), EmailAddress(ErrorMessage = "Enter a valid email address."), StringLength(254)]
        public string Email { get; set; } = "";
        [Required(ErrorMessage = "Choose a role.")]
        public string Role { get; set; } = Roles.Respondent;
        /// <summary>
        /// The invitee has no profile yet: the inviter chooses the language of the mail and of their first visit
        /// (the form offers the organisation's language; a post without it means the inviter's own).
        /// </summary>
        [StringLength(10)]
        public string? Culture { get; set; }
    }

    public sealed record OrganisationRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Category { get; init; } = "";
        public string Country { get; init; } = "";
        public string ContactEmail { get; init; } = "";
    }

    public sealed record MemberRow
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string? Roles { get; init; }
        public IEnumerable<string> RoleList => (Roles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    public sealed record PendingRow
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string Role { get; init; } = "";
        public DateTimeOffset ExpiresAt { get; init; }
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        // The organisation's country says which language its people most likely read; else the inviter's own.
        Invite.Culture = Regional.LanguageOf(Organisation.Country) ?? Languages.Of(CultureInfo.CurrentUICulture);
        return Page();
    }

    /// <summary>Withdraws a pending invitation (sent to a mistyped address, or no longer wanted): its link stops working.</summary>
    public async Task<IActionResult> OnPostRevokeInvitationAsync(long id, long invitationId, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var email = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            UPDATE invitations SET revoked_at = @Now
             WHERE id = @invitationId AND organisation_id = @id AND accepted_at IS NULL AND revoked_at IS NULL
            RETURNING email
            """, new { invitationId, id, Now = clock.GetUtcNow() }, tx, cancellationToken: ct));
        if (email is not null) await audit.WriteAsync(AuditActions.InvitationRevoked, $"organisation:{id}", email, conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = email is null ? L["That invitation was already accepted or withdrawn."] : L["The invitation to {0} is withdrawn: its link no longer works.", email];
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostInviteAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!InvitableRoles.Contains(Invite.Role, StringComparer.Ordinal))
            ModelState.AddModelError("Invite.Role", L["You cannot invite someone with this role."]);
        if (string.IsNullOrEmpty(Invite.Culture)) Invite.Culture = Languages.Of(CultureInfo.CurrentUICulture);
        else if (!Languages.IsKnown(Invite.Culture)) ModelState.AddModelError("Invite.Culture", L["Choose a language."]);
        if (!ModelState.IsValid) return Page();

        var email = Invite.Email.Trim();
        var normalized = normalizer.NormalizeEmail(email)!;
        var token = Tokens.New();
        var now = clock.GetUtcNow();

        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Re-inviting an address reuses its account: one person, one user row.
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO users (email, normalized_email, security_stamp, concurrency_stamp, created_at)
            VALUES (@email, @normalized, @Stamp, @Concurrency, @now)
            ON CONFLICT (normalized_email) DO NOTHING
            """, new { email, normalized, Stamp = Guid.NewGuid().ToString("N"), Concurrency = Guid.NewGuid().ToString("N"), now }, tx, cancellationToken: ct));
        var user = await conn.QuerySingleAsync<(long Id, long? OrganisationId)>(new CommandDefinition(
            "SELECT id, organisation_id FROM users WHERE normalized_email = @normalized", new { normalized }, tx, cancellationToken: ct));
        if (user.OrganisationId is { } other && other != id)
        {
            ModelState.AddModelError("Invite.Email", L["This person already belongs to another organisation."]);
            return Page();
        }
        // Only the newest link for this person and organisation works.
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE invitations SET revoked_at = @now
             WHERE normalized_email = @normalized AND organisation_id = @id AND accepted_at IS NULL AND revoked_at IS NULL
            """, new { now, normalized, id }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO invitations (token_hash, email, normalized_email, role, organisation_id, user_id, invited_by, created_at, expires_at, culture)
            VALUES (@Hash, @email, @normalized, @Role, @id, @UserId, @InvitedBy, @now, @Expires, @Culture)
            """, new
        {
            Hash = Tokens.Hash(token), email, normalized, Invite.Role, id, UserId = user.Id, InvitedBy = me.Id, now, Invite.Culture,
            Expires = now + InvitationRules.Validity,
        }, tx, cancellationToken: ct));
        await audit.WriteAsync(AuditActions.InvitationSent, $"user:{user.Id}", $"{email} as {Invite.Role} to organisation:{id}", conn, tx, ct: ct);
        await tx.CommitAsync(ct);

        MailMessage message;
        using (CultureScope.Use(Invite.Culture))
        {
            // The link names the mail's language, so the invitation page opens in it before the invitee signs in.
            var link = links.Absolute(Request, Url.Page("/Account/AcceptInvitation", new { token, culture = CultureInfo.CurrentUICulture.Name })!);
            message = new MailMessage(email,
                L["Invitation to the Consultation portal"],
                string.Join("\n\n",
                    L["{0} invites you to join {1} on the Consultation portal as {2}.", me.DisplayName, Organisation.Name, L["Role." + Invite.Role].Value],
                    L["Open this link within 7 days to set your name and password:"] + "\n" + link,
                    L["If you did not expect this invitation, ignore this message."]));
        }
        try
        {
            await mail.SendAsync(message, ct);
        }
        catch (Exception ex) when (ex is MailKit.Net.Smtp.SmtpCommandException or MailKit.Net.Smtp.SmtpProtocolException or IOException or System.Net.Sockets.SocketException or MailKit.ServiceNotConnectedException)
        {
            logger.LogError(ex, "Invitation mail to {Email} could not be sent", email);
            StatusMessage = L["The invitation was saved, but the email could not be sent. Check the mail settings and invite again."];
            return RedirectToPage(new { id });
        }
        StatusMessage = L["Invitation sent to {0}.", email];
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var org = await conn.QuerySingleOrDefaultAsync<OrganisationRow>(new CommandDefinition(
            "SELECT id, name, category, country, contact_email FROM organisations WHERE id = @id", new { id }, cancellationToken: ct));
        if (org is null) return false;
        Organisation = org;
        Members = (await conn.QueryAsync<MemberRow>(new CommandDefinition("""
            SELECT u.id, u.email, u.display_name,
                   (SELECT string_agg(r.name, ',' ORDER BY r.id) FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = u.id) AS roles
              FROM users u WHERE u.organisation_id = @id AND u.password_hash IS NOT NULL ORDER BY u.display_name
            """, new { id }, cancellationToken: ct))).ToList();
        Pending = (await conn.QueryAsync<PendingRow>(new CommandDefinition("""
            SELECT id, email, role, expires_at FROM invitations
             WHERE organisation_id = @id AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > @Now
             ORDER BY created_at DESC
            """, new { id, Now = clock.GetUtcNow() }, cancellationToken: ct))).ToList();
        return true;
    }
}
