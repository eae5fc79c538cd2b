using Consultation.Core.Accounts;
using Microsoft.AspNetCore.Authorization;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>Authorization policies by name. Folder policies are the second lock; queries filter by owner first.</summary>
public static class Policies
{
    public const string Administrator = nameof(Administrator);
    /// <summary>Coordinators and administrators (organisations, invitations, rounds).</summary>
    public const string Coordinator = nameof(Coordinator);
    public const string Facilitator = nameof(Facilitator);
    public const string Respondent = nameof(Respondent);

    public static void Add(AuthorizationOptions o)
    {
        o.AddPolicy(Administrator, p => p.RequireRole(Roles.Administrator));
        o.AddPolicy(Coordinator, p => p.RequireRole(Roles.Coordinator, Roles.Administrator));
        o.AddPolicy(Facilitator, p => p.RequireRole(Roles.Facilitator, Roles.Coordinator, Roles.Administrator));
        o.AddPolicy(Respondent, p => p.RequireRole(Roles.Respondent));
        // Everything needs a signed-in user unless a page or endpoint says [AllowAnonymous].
        o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }
}
