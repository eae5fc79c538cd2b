namespace Consultation.Web.Infrastructure.Security;

/// <summary>A portal account as ASP.NET Core Identity sees it (mutable: the managers set fields, the store saves them).</summary>
public sealed class AppUser
{
    public long Id { get; set; }
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string? PasswordHash { get; set; }
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    public string ConcurrencyStamp { get; set; } = Guid.NewGuid().ToString("N");
    public bool EmailConfirmed { get; set; }
    public bool LockoutEnabled { get; set; } = true;
    public DateTimeOffset? LockoutEnd { get; set; }
    public int AccessFailedCount { get; set; }
    public bool TwoFactorEnabled { get; set; }
    public string? AuthenticatorKey { get; set; }
    public string? RecoveryCodes { get; set; }
    public bool MustChangePassword { get; set; }
    public long? OrganisationId { get; set; }
    public string? Culture { get; set; }
    /// <summary>IANA zone the user reads times in; null = the default zone of their language.</summary>
    public string? TimeZone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When an administrator disabled the account; null while it may sign in (<see cref="AccountConfirmation"/>).</summary>
    public string? DisabledAt { get; set; }
}

public sealed class AppRole
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string NormalizedName { get; set; } = "";
}
