using System.Globalization;
using System.Security.Claims;
using Consultation.Core.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>The signed-in user of this request, read once from the cookie's claims. Pages and hubs use this, never raw claims.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    public const string OrganisationClaim = "consultation:organisation";
    public const string DisplayNameClaim = "consultation:display_name";
    public const string CultureClaim = "consultation:culture";

    private ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;

    /// <summary>The user's id; 0 when anonymous.</summary>
    public long Id => long.TryParse(Principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;

    public string Email => Principal.FindFirstValue(ClaimTypes.Name) ?? "";

    public string DisplayName => Principal.FindFirstValue(DisplayNameClaim) is { Length: > 0 } n ? n : Email;

    public long? OrganisationId => long.TryParse(Principal.FindFirstValue(OrganisationClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public bool IsInRole(string role) => Principal.IsInRole(role);
    public bool IsAdministrator => IsInRole(Roles.Administrator);
    public bool IsCoordinator => IsInRole(Roles.Coordinator);
    /// <summary>Coordinators and administrators manage organisations and invitations.</summary>
    public bool CanManageOrganisations => IsAdministrator || IsCoordinator;

    public string? IpAddress => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();
}

/// <summary>Adds the organisation and display name to the cookie so <see cref="CurrentUser"/> needs no query.</summary>
public sealed class AppClaimsFactory(UserManager<AppUser> users, RoleManager<AppRole> roles, Microsoft.Extensions.Options.IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, AppRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.OrganisationId is { } org) identity.AddClaim(new Claim(CurrentUser.OrganisationClaim, org.ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(CurrentUser.DisplayNameClaim, user.DisplayName));
        if (user.Culture is { Length: > 0 } culture) identity.AddClaim(new Claim(CurrentUser.CultureClaim, culture));
        return identity;
    }
}
