using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// Identity's messages (a too short password, a wrong current password, a spent link…) in the reader's language:
/// Identity's own describer only speaks English. The pages show <c>Description</c> as it comes.
/// </summary>
public sealed class LocalizedIdentityErrors(IStringLocalizer<SharedResource> L) : IdentityErrorDescriber
{
    private static IdentityError Error(string code, string description) => new() { Code = code, Description = description };

    public override IdentityError DefaultError() => Error(nameof(DefaultError), L["Something went wrong. Please try again."]);
    public override IdentityError ConcurrencyFailure() => Error(nameof(ConcurrencyFailure), L["The account changed meanwhile. Please try again."]);
    public override IdentityError PasswordMismatch() => Error(nameof(PasswordMismatch), L["The current password is not correct."]);
    public override IdentityError InvalidToken() => Error(nameof(InvalidToken), L["This link or code is no longer valid."]);
    public override IdentityError RecoveryCodeRedemptionFailed() => Error(nameof(RecoveryCodeRedemptionFailed), L["This recovery code is not valid."]);
    public override IdentityError InvalidEmail(string? email) => Error(nameof(InvalidEmail), L["“{0}” is not a valid e-mail address.", email ?? ""]);
    public override IdentityError DuplicateEmail(string email) => Error(nameof(DuplicateEmail), L["An account with the e-mail address {0} already exists.", email]);
    public override IdentityError InvalidUserName(string? userName) => Error(nameof(InvalidUserName), L["“{0}” is not a valid e-mail address.", userName ?? ""]);
    public override IdentityError DuplicateUserName(string userName) => Error(nameof(DuplicateUserName), L["An account with the e-mail address {0} already exists.", userName]);
    public override IdentityError UserAlreadyHasPassword() => Error(nameof(UserAlreadyHasPassword), L["This account already has a password."]);
    public override IdentityError PasswordTooShort(int length) => Error(nameof(PasswordTooShort), L["The password needs at least {0} characters.", length]);
    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) =>
        Error(nameof(PasswordRequiresUniqueChars), L["The password needs at least {0} different characters.", uniqueChars]);
    public override IdentityError PasswordRequiresNonAlphanumeric() => Error(nameof(PasswordRequiresNonAlphanumeric), L["The password needs a character that is not a letter or digit."]);
    public override IdentityError PasswordRequiresDigit() => Error(nameof(PasswordRequiresDigit), L["The password needs a digit."]);
    public override IdentityError PasswordRequiresLower() => Error(nameof(PasswordRequiresLower), L["The password needs a lower-case letter."]);
    public override IdentityError PasswordRequiresUpper() => Error(nameof(PasswordRequiresUpper), L["The password needs an upper-case letter."]);
}
