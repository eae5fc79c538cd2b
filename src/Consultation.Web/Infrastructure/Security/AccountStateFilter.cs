using Dapper;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// Keeps a signed-in user on the account pages until the account is in order: a one-time password
/// (from <c>create-admin</c>) must be changed, and coordinators must set up two-factor sign-in when an
/// administrator requires it.
/// </summary>
public sealed class AccountStateFilter(Db db, CurrentUser user) : IAsyncPageFilter
{
    private static readonly string[] AlwaysAllowed =
        ["/Account/Manage/ChangePassword", "/Account/Manage/TwoFactor", "/Account/Logout", "/Error"];

    private sealed record State
    {
        public bool MustChangePassword { get; init; }
        public bool TwoFactorEnabled { get; init; }
        public string? RequireTwoFactor { get; init; }
    }

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var page = context.ActionDescriptor.ViewEnginePath;
        if (!AlwaysAllowed.Contains(page, StringComparer.OrdinalIgnoreCase)
            && await PendingPageAsync(context.HttpContext, db, user) is { } pending)
        {
            context.Result = new RedirectToPageResult(pending);
            return;
        }
        await next();
    }

    /// <summary>
    /// The account page a signed-in user must go to before anything else (changing a one-time password, setting up
    /// two-factor sign-in), or null. Also used by the endpoints outside the page pipeline (FormEndpoints).
    /// </summary>
    public static async Task<string?> PendingPageAsync(HttpContext http, Db db, CurrentUser user)
    {
        if (!user.IsAuthenticated) return null;
        // Usually read already, with the cookie's security stamp, in the same query (StampValidator).
        var state = StampValidator.StateOf(http) is { } s
            ? new State { MustChangePassword = s.MustChangePassword, TwoFactorEnabled = s.TwoFactorEnabled, RequireTwoFactor = s.RequireTwoFactor }
            : await ReadAsync(db, user.Id, http.RequestAborted);
        if (state is null) return null;
        if (state.MustChangePassword) return "/Account/Manage/ChangePassword";
        if (state.RequireTwoFactor == "true" && !state.TwoFactorEnabled && user.IsInRole(Roles.Coordinator)) return "/Account/Manage/TwoFactor";
        return null;
    }

    private static async Task<State?> ReadAsync(Db db, long userId, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<State>(new CommandDefinition("""
            SELECT must_change_password, two_factor_enabled,
                   (SELECT value FROM settings WHERE key = @Key) AS require_two_factor
              FROM users WHERE id = @userId
            """, new { userId, Key = PortalSettings.RequireTwoFactorForCoordinators }, cancellationToken: ct));
    }
}
