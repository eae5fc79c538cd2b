using System.ComponentModel.DataAnnotations;
using Dapper;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Account;

/// <summary>
/// The invitation link from the mail: a new person sets name and password; an existing account gains the
/// role. The link works once, for 7 days; any other link gets a page that says why, never an error.
/// An account belongs to one organisation: an invitation to another one than the account's is refused, and
/// accepting an invitation withdraws the person's pending invitations to other organisations.
/// </summary>
[AllowAnonymous, EnableRateLimiting(RateLimits.Sensitive)]
public sealed class AcceptInvitationModel(
    Db db, UserManager<AppUser> users, SignInManager<AppUser> signIn, IPasswordHasher<AppUser> hasher,
    AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    public enum LinkState { Invalid, Valid, Expired, Used, Revoked, Disabled, OtherOrganisation }

    [BindProperty(SupportsGet = true)] public string? Token { get; set; }
    [BindProperty] public InputModel Input { get; set; } = new();
    public LinkState State { get; private set; }
    public string Email { get; private set; } = "";
    public string Role { get; private set; } = "";
    public string OrganisationName { get; private set; } = "";
    /// <summary>The organisation the account already belongs to (<see cref="LinkState.OtherOrganisation"/>).</summary>
    public string CurrentOrganisationName { get; private set; } = "";
    public bool HasPassword { get; private set; }

    public sealed class InputModel
    {
        [StringLength(200, ErrorMessage = "The name can be at most 200 characters.")]
        public string? DisplayName { get; set; }
        [DataType(DataType.Password), StringLength(200)]
        public string? Password { get; set; }
        [DataType(DataType.Password)]
        public string? ConfirmPassword { get; set; }
    }

    private sealed record Invitation
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string Role { get; init; } = "";
        public long? OrganisationId { get; init; }
        public string? OrganisationName { get; init; }
        public long UserId { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
        public string? PasswordHash { get; init; }
        public string? Culture { get; init; }
        public string? DisabledAt { get; init; }
        public long? UserOrganisationId { get; init; }
        public string? UserOrganisationName { get; init; }
    }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var invitation = await LoadAsync(ct);
        if (invitation is null || State != LinkState.Valid) return Page();

        AppUser? user = null;
        string? passwordHash = null;
        if (!HasPassword)
        {
            if (string.IsNullOrWhiteSpace(Input.DisplayName)) ModelState.AddModelError("Input.DisplayName", L["Enter your name."]);
            if (string.IsNullOrEmpty(Input.Password)) ModelState.AddModelError("Input.Password", L["Choose a password."]);
            else if (Input.Password != Input.ConfirmPassword) ModelState.AddModelError("Input.ConfirmPassword", L["The passwords do not match."]);
            if (!ModelState.IsValid) return Page();
            user = await users.FindByIdAsync(invitation.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (user is null) { State = LinkState.Invalid; return Page(); }
            foreach (var validator in users.PasswordValidators)
            {
                var result = await validator.ValidateAsync(users, user, Input.Password!);
                foreach (var e in result.Errors) ModelState.AddModelError("Input.Password", L[e.Description]);
            }
            if (!ModelState.IsValid) return Page();
            passwordHash = hasher.HashPassword(user, Input.Password!);
        }

        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The conditional update is the single-use guarantee: of two simultaneous clicks only one wins.
        var won = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE invitations SET accepted_at = @now
             WHERE id = @Id AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > @now
               AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = invitations.user_id AND u.disabled_at IS NOT NULL)
            """, new { now, invitation.Id }, tx, cancellationToken: ct));
        if (won == 0)
        {
            State = LinkState.Used;
            return Page();
        }
        // The organisation condition holds against a second invitation accepted at the same moment: the later one finds
        // the account in the other organisation and is refused (rolled back: the invitation stays unused).
        var joined = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE users SET organisation_id = COALESCE(@OrganisationId, organisation_id), email_confirmed = 1,
                   display_name = CASE WHEN @DisplayName IS NULL THEN display_name ELSE @DisplayName END,
                   password_hash = COALESCE(@passwordHash, password_hash),
                   security_stamp = @Stamp, concurrency_stamp = @Stamp,
                   culture = COALESCE(culture, @Culture)
             WHERE id = @UserId AND (organisation_id IS NULL OR organisation_id = COALESCE(@OrganisationId, organisation_id))
            """, new
        {
            invitation.OrganisationId, DisplayName = passwordHash is null ? null : Input.DisplayName!.Trim(), passwordHash, invitation.Culture,
            Stamp = Guid.NewGuid().ToString("N"), invitation.UserId,
        }, tx, cancellationToken: ct));
        if (joined == 0)
        {
            await tx.RollbackAsync(ct);
            await LoadAsync(ct);
            return Page();
        }
        if (invitation.OrganisationId is { } organisationId)
        {
            // Invitations to other organisations can no longer be accepted: withdrawn now, so they do not linger as pending.
            var withdrawn = await conn.QueryAsync<long>(new CommandDefinition("""
                UPDATE invitations SET revoked_at = @now
                 WHERE user_id = @UserId AND accepted_at IS NULL AND revoked_at IS NULL
                   AND organisation_id IS NOT NULL AND organisation_id <> @organisationId
                RETURNING organisation_id
                """, new { now, invitation.UserId, organisationId }, tx, cancellationToken: ct));
            foreach (var other in withdrawn.Distinct())
                await audit.WriteAsync(AuditActions.InvitationRevoked, $"organisation:{other}",
                    $"{invitation.Email} (joined organisation:{organisationId})", conn, tx,
                    actorId: invitation.UserId, actorEmail: invitation.Email, ct: ct);
        }
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO user_roles (user_id, role_id) SELECT @UserId, id FROM roles WHERE name = @Role
            ON CONFLICT DO NOTHING
            """, new { invitation.UserId, invitation.Role }, tx, cancellationToken: ct));
        await audit.WriteAsync(AuditActions.InvitationAccepted, $"user:{invitation.UserId}",
            $"{invitation.Email} as {invitation.Role} to organisation:{invitation.OrganisationId}", conn, tx,
            actorId: invitation.UserId, actorEmail: invitation.Email, ct: ct);
        await audit.WriteAsync(AuditActions.RoleAdded, $"user:{invitation.UserId}", invitation.Role, conn, tx,
            actorId: invitation.UserId, actorEmail: invitation.Email, ct: ct);
        await tx.CommitAsync(ct);

        if (passwordHash is not null)
        {
            user = await users.FindByIdAsync(invitation.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await signIn.SignInAsync(user!, isPersistent: false);
            TempData["StatusMessage"] = L["Welcome! Your account is ready."].Value;
            return RedirectToPage("/Index");
        }
        TempData["StatusMessage"] = L["Invitation accepted. Sign in to continue."].Value;
        // The sign-in page in the invitation's language too, as this page and its message were.
        return RedirectToPage("./Login", new { culture = invitation.Culture });
    }

    private async Task<Invitation?> LoadAsync(CancellationToken ct)
    {
        State = LinkState.Invalid;
        if (string.IsNullOrWhiteSpace(Token) || Token.Length > 100) return null;
        await using var conn = await db.OpenAsync(ct);
        var invitation = await conn.QuerySingleOrDefaultAsync<Invitation>(new CommandDefinition("""
            SELECT i.id, i.email, i.role, i.organisation_id, o.name AS organisation_name, i.user_id,
                   i.expires_at, i.accepted_at, i.revoked_at, u.password_hash, i.culture, u.disabled_at,
                   u.organisation_id AS user_organisation_id, uo.name AS user_organisation_name
              FROM invitations i JOIN users u ON u.id = i.user_id
              LEFT JOIN organisations o ON o.id = i.organisation_id
              LEFT JOIN organisations uo ON uo.id = u.organisation_id
             WHERE i.token_hash = @Hash
            """, new { Hash = Tokens.Hash(Token) }, cancellationToken: ct));
        if (invitation is null) return null;
        State = InvitationRules.Evaluate(invitation.ExpiresAt, invitation.AcceptedAt, invitation.RevokedAt, clock.GetUtcNow()) switch
        {
            InvitationRules.State.Valid => LinkState.Valid,
            InvitationRules.State.Expired => LinkState.Expired,
            InvitationRules.State.Used => LinkState.Used,
            _ => LinkState.Revoked,
        };
        // An administrator disabled the account: the invitation cannot bring it back (nor be spent).
        if (State == LinkState.Valid && invitation.DisabledAt is not null) State = LinkState.Disabled;
        // The account joined another organisation (through another invitation, which withdrew this one, or before
        // that rule): accepting would move it there, away from its organisation's responses. Said instead of "withdrawn".
        else if (State is LinkState.Valid or LinkState.Revoked
                 && invitation.OrganisationId is { } target && invitation.UserOrganisationId is { } current && current != target)
            State = LinkState.OtherOrganisation;
        CurrentOrganisationName = invitation.UserOrganisationName ?? "";
        Email = invitation.Email;
        Role = invitation.Role;
        OrganisationName = invitation.OrganisationName ?? "";
        HasPassword = invitation.PasswordHash is not null;
        return invitation;
    }
}
