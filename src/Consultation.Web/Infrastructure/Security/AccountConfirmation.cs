using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// Whether an account may sign in (Identity's <c>SignIn.RequireConfirmedAccount</c> asks this before checking a
/// password or a two-factor code): not while an administrator has it disabled (<see cref="AppUser.DisabledAt"/>).
/// The sign-in page then answers as for a wrong password.
/// </summary>
public sealed class AccountConfirmation : IUserConfirmation<AppUser>
{
    public Task<bool> IsConfirmedAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(user.DisabledAt is null);
}
