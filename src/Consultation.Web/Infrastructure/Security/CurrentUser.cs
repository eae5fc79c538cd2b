using System.Globalization;
using System.Security.Claims;
using Consultation.Core.Accounts;
using Consultation.Core.Localization;
using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>The signed-in user of this request, read once from the cookie's claims. Pages and hubs use this, never raw claims.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    public const string OrganisationClaim = "consultation:organisation";
    public const string DisplayNameClaim = "consultation:display_name";
    public const string CultureClaim = "consultation:culture";
    public const string TimeZoneClaim = "consultation:time_zone";

    private ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal();

    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;

    /// <summary>The user's id; 0 when anonymous.</summary>
    public long Id => long.TryParse(Principal.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;

    public string Email => Principal.FindFirstValue(ClaimTypes.Name) ?? "";

    public string DisplayName => Principal.FindFirstValue(DisplayNameClaim) is { Length: > 0 } n ? n : Email;

    public long? OrganisationId => long.TryParse(Principal.FindFirstValue(OrganisationClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>The zone this user reads times in: their own choice, else their organisation's country's, else the zone of the page's language (Regional).</summary>
    public string TimeZone => Principal.FindFirstValue(TimeZoneClaim) is { Length: > 0 } zone
        ? zone
        : Regional.TimeZoneOfLanguage(Languages.Of(CultureInfo.CurrentUICulture));

    public bool IsInRole(string role) => Principal.IsInRole(role);
    public bool IsAdministrator => IsInRole(Roles.Administrator);
    public bool IsCoordinator => IsInRole(Roles.Coordinator);
    /// <summary>Coordinators and administrators manage organisations and invitations.</summary>
    public bool CanManageOrganisations => IsAdministrator || IsCoordinator;

    public string? IpAddress => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();
}

/// <summary>Adds the organisation, display name, language and zone to the cookie so <see cref="CurrentUser"/> needs no query.</summary>
public sealed class AppClaimsFactory(UserManager<AppUser> users, RoleManager<AppRole> roles, Microsoft.Extensions.Options.IOptions<IdentityOptions> options, Data.Db db)
    : UserClaimsPrincipalFactory<AppUser, AppRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (user.OrganisationId is { } org) identity.AddClaim(new Claim(CurrentUser.OrganisationClaim, org.ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(CurrentUser.DisplayNameClaim, user.DisplayName));
        if (user.Culture is { Length: > 0 } culture) identity.AddClaim(new Claim(CurrentUser.CultureClaim, culture));
        // The user's own zone, else their organisation's country's (Montenegrins read Podgorica time, not Belgrade's).
        var zone = user.TimeZone;
        if (string.IsNullOrEmpty(zone) && user.OrganisationId is { } orgId)
        {
            await using var conn = await db.OpenAsync();
            zone = Regional.TimeZoneOf(await Dapper.SqlMapper.ExecuteScalarAsync<string?>(conn, "SELECT country FROM organisations WHERE id = @orgId", new { orgId }));
        }
        if (zone is { Length: > 0 }) identity.AddClaim(new Claim(CurrentUser.TimeZoneClaim, zone));
        return identity;
    }
}
