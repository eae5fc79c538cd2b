using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests.PageObjects;

/// <summary><c>/Organisations/{id}</c>: members, pending invitations and the "Invite a person" form.</summary>
public sealed class OrganisationPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator StatusMessage => page.GetByRole(AriaRole.Status);
    public ILocator InviteForm => page.GetByRole(AriaRole.Region, new() { Name = "Invite a person" });
    public ILocator InviteEmail => InviteForm.GetByLabel("Email", new() { Exact = true });
    public ILocator InviteRole => InviteForm.GetByLabel("Role", new() { Exact = true });
    public ILocator InviteLanguage => InviteForm.GetByLabel("Language of the invitation", new() { Exact = true });
    public ILocator SendInvitation => InviteForm.GetByRole(AriaRole.Button, new() { Name = "Send invitation" });
    public ILocator Members => page.GetByRole(AriaRole.Region, new() { Name = "Members" });

    /// <summary>
    /// Invites <paramref name="email"/> as the role whose visible name is <paramref name="role"/>, in the language whose own
    /// name is <paramref name="language"/> (the form presets the organisation's country's language), and waits for the confirmation.
    /// </summary>
    public async Task InviteAsync(string email, string role, string language = "English")
    {
        await InviteEmail.FillAsync(email);
        await InviteRole.SelectOptionAsync(new SelectOptionValue { Label = role });
        await InviteLanguage.SelectOptionAsync(new SelectOptionValue { Label = language });
        await SendInvitation.ClickAsync();
        await Expect(StatusMessage).ToHaveTextAsync($"Invitation sent to {email}.");
    }
}
