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
        if (!user.IsAuthenticated || AlwaysAllowed.Contains(page, StringComparer.OrdinalIgnoreCase))
        {
            await next();
            return;
        }
        // Usually read already, with the cookie's security stamp, in the same query (StampValidator).
        var state = StampValidator.StateOf(context.HttpContext) is { } s
            ? new State { MustChangePassword = s.MustChangePassword, TwoFactorEnabled = s.TwoFactorEnabled, RequireTwoFactor = s.RequireTwoFactor }
            : await ReadAsync(context.HttpContext.RequestAborted);
        if (state is null)
        {
            await next();
            return;
        }
        if (state.MustChangePassword)
        {
            context.Result = new RedirectToPageResult("/Account/Manage/ChangePassword");
            return;
        }
        if (state.RequireTwoFactor == "true" && !state.TwoFactorEnabled && user.IsInRole(Roles.Coordinator))
        {
            context.Result = new RedirectToPageResult("/Account/Manage/TwoFactor");
            return;
        }
        await next();
    }

    private async Task<State?> ReadAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<State>(new CommandDefinition("""
            SELECT must_change_password, two_factor_enabled,
                   (SELECT value FROM settings WHERE key = @Key) AS require_two_factor
              FROM users WHERE id = @Id
            """, new { user.Id, Key = PortalSettings.RequireTwoFactorForCoordinators }, cancellationToken: ct));
    }
}
