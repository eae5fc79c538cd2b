using System.Globalization;
using System.Security.Claims;
using Consultation.Web.Infrastructure.Data;
using Consultation.Core.Localization;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// The security stamp is checked on every request (<c>ValidationInterval</c> zero, <see cref="SecurityExtensions"/>).
/// Identity's own validator then loads the user, loads the roles, rebuilds the principal and re-issues the cookie —
/// on every request. This one reads the stamp and everything the cookie's claims are made of in one query. When the
/// stamp and every claim still match, the principal in the cookie is exactly what a rebuild would produce: it is kept
/// and no new cookie is sent (sliding expiration still renews it as usual). On any difference Identity's path runs:
/// a changed stamp ends the session, changed claims are rebuilt and re-issued. The same row also answers
/// <see cref="AccountStateFilter"/>, which then needs no query of its own. Identity's validator (and the sign-in
/// manager it needs, costly to build) is only made for that other path.
/// </summary>
public sealed class StampValidator(IOptions<SecurityStampValidatorOptions> options, ILoggerFactory logger, UserStateReader users, IOptions<IdentityOptions> identity)
    : ISecurityStampValidator
{
    /// <summary>The user's row as the claims factory (<see cref="AppClaimsFactory"/>) and the account state filter read it.</summary>
    public sealed record UserState
    {
        public string SecurityStamp { get; init; } = "";
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public long? OrganisationId { get; init; }
        public string? Culture { get; init; }
        public string? TimeZone { get; init; }
        public string? OrganisationCountry { get; init; }
        /// <summary>Role names in the order the user store returns them, separated by commas (role names have none).</summary>
        public string? Roles { get; init; }
        public bool MustChangePassword { get; init; }
        public bool TwoFactorEnabled { get; init; }
        public string? RequireTwoFactor { get; init; }
        /// <summary>Set when an administrator disabled the account: its sessions end.</summary>
        public string? DisabledAt { get; init; }
    }

    private static readonly object StateKey = new();

    /// <summary>The columns of <see cref="UserState"/> of the user <c>u</c> (the batched read has them too, UserStateReader).</summary>
    internal const string UserStateColumns = """
        u.security_stamp, u.email, u.display_name, u.organisation_id, u.culture, u.time_zone,
               (SELECT o.country FROM organisations o WHERE o.id = u.organisation_id) AS organisation_country,
               (SELECT string_agg(r.name, ',' ORDER BY r.id) FROM user_roles ur JOIN roles r ON r.id = ur.role_id
                 WHERE ur.user_id = u.id) AS roles,
               u.must_change_password, u.two_factor_enabled,
               (SELECT value FROM settings WHERE key = @Key) AS require_two_factor, u.disabled_at
        """;

    /// <summary>Read on every signed-in request: kept compiled (see <see cref="HotSql"/>); on PostgreSQL several at once (UserStateReader).</summary>
    internal static readonly HotSql UserStateSql = new($"""
        SELECT {UserStateColumns}
          FROM users u WHERE u.id = @id
        """, "@id", "@Key");

    /// <summary>The row of <see cref="UserStateSql"/>, read by hand (as Dapper would map it, StampValidatorTests); null when there is none.</summary>
    internal static UserState? ReadState(System.Data.Common.DbDataReader r) => !r.Read() ? null : ReadColumns(r, 0);

    /// <summary>The <see cref="UserStateColumns"/> of the row the reader is on, starting at <paramref name="first"/>.</summary>
    internal static UserState ReadColumns(System.Data.Common.DbDataReader r, int first) => new()
    {
        SecurityStamp = DapperSetup.Column.Text(r, first) ?? "",
        Email = DapperSetup.Column.Text(r, first + 1) ?? "",
        DisplayName = DapperSetup.Column.Text(r, first + 2) ?? "",
        OrganisationId = DapperSetup.Column.NumberOrNull(r, first + 3),
        Culture = DapperSetup.Column.Text(r, first + 4),
        TimeZone = DapperSetup.Column.Text(r, first + 5),
        OrganisationCountry = DapperSetup.Column.Text(r, first + 6),
        Roles = DapperSetup.Column.Text(r, first + 7),
        MustChangePassword = DapperSetup.Column.Flag(r, first + 8),
        TwoFactorEnabled = DapperSetup.Column.Flag(r, first + 9),
        RequireTwoFactor = DapperSetup.Column.Text(r, first + 10),
        DisabledAt = DapperSetup.Column.Text(r, first + 11),
    };

    /// <summary>The signed-in user's row read while validating this request's cookie; null when it was not read.</summary>
    public static UserState? StateOf(HttpContext context) => context.Items.TryGetValue(StateKey, out var s) ? s as UserState : null;

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var issued = context.Properties.IssuedUtc;
        var clock = options.Value.TimeProvider ?? TimeProvider.System;
        var due = issued is null || clock.GetUtcNow() - issued.Value > options.Value.ValidationInterval;
        if (due && context.Principal?.Identity is ClaimsIdentity { IsAuthenticated: true } cookie
            && long.TryParse(cookie.FindFirst(identity.Value.ClaimsIdentity.UserIdClaimType)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            var state = await users.ReadAsync(id, context.HttpContext.RequestAborted);
            if (state?.DisabledAt is not null)
            {
                // A disabled account's sessions end at their next request, whatever their cookie says.
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                return;
            }
            if (state is not null && SameClaims(cookie, Expected(id, state)))
            {
                context.HttpContext.Items[StateKey] = state;
                return;
            }
        }
        var services = context.HttpContext.RequestServices;
        await new SecurityStampValidator<AppUser>(options, services.GetRequiredService<SignInManager<AppUser>>(), logger).ValidateAsync(context);
    }

    /// <summary>The claims <see cref="AppClaimsFactory"/> (over Identity's factory) makes from this row, in its order.</summary>
    private List<(string Type, string Value)> Expected(long id, UserState s)
    {
        var c = identity.Value.ClaimsIdentity;
        var claims = new List<(string, string)>
        {
            (c.UserIdClaimType, id.ToString(CultureInfo.InvariantCulture)),
            (c.UserNameClaimType, s.Email),
        };
        if (s.Email.Length > 0) claims.Add((c.EmailClaimType, s.Email));
        claims.Add((c.SecurityStampClaimType, s.SecurityStamp));
        foreach (var role in (s.Roles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)) claims.Add((c.RoleClaimType, role));
        if (s.OrganisationId is { } org) claims.Add((CurrentUser.OrganisationClaim, org.ToString(CultureInfo.InvariantCulture)));
        claims.Add((CurrentUser.DisplayNameClaim, s.DisplayName));
        if (s.Culture is { Length: > 0 } culture) claims.Add((CurrentUser.CultureClaim, culture));
        // As AppClaimsFactory: the user's own zone, else their organisation's country's.
        var zone = s.TimeZone;
        if (string.IsNullOrEmpty(zone) && s.OrganisationId is not null) zone = Regional.TimeZoneOf(s.OrganisationCountry);
        if (zone is { Length: > 0 }) claims.Add((CurrentUser.TimeZoneClaim, zone));
        return claims;
    }

    private static bool SameClaims(ClaimsIdentity cookie, List<(string Type, string Value)> expected)
    {
        var i = 0;
        foreach (var claim in cookie.Claims)
        {
            if (i >= expected.Count || claim.Type != expected[i].Type || claim.Value != expected[i].Value) return false;
            i++;
        }
        return i == expected.Count;
    }
}
