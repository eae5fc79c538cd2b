using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;

namespace Consultation.Web.Tests.Pages.Organisations;

/// <summary>Invitation and password-reset mails go out in the recipient's language, checked at the real SMTP peer.</summary>
public sealed partial class InvitationLanguageTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [GeneratedRegex(@"https?://\S+/Account/AcceptInvitation\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex LinkRegex();

    [GeneratedRegex(@"https?://\S+/Account/(AcceptInvitation|ResetPassword)\?\S+")]
    private static partial Regex FullLinkRegex();

    private System.Data.Common.DbConnection Sql() => app.Connection();

    private async Task<long> OrganisationIdAsync(string name)
    {
        await using var conn = Sql();
        return await conn.ExecuteScalarAsync<long>("SELECT id FROM organisations WHERE name = @name", new { name });
    }

    private async Task<HttpClient> CoordinatorAsync()
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, "coordinator@demo.local");
        return client;
    }

    [Fact]
    public async Task Invite_form_offers_the_organisations_language_first()
    {
        var coordinator = await CoordinatorAsync();
        await using (var conn = Sql())
            await conn.ExecuteAsync("UPDATE organisations SET country = 'MK' WHERE name = 'Faculty of Security Studies'");

        var serbian = await coordinator.GetStringAsync($"/Organisations/Details/{await OrganisationIdAsync("ASTRA")}");
        var macedonian = await coordinator.GetStringAsync($"/Organisations/Details/{await OrganisationIdAsync("Faculty of Security Studies")}");

        Assert.Matches("<option value=\"sr-Latn\" lang=\"sr-Latn\" selected=\"selected\">", serbian);
        Assert.Matches("<option value=\"mk\" lang=\"mk\" selected=\"selected\">", macedonian);
    }

    [Fact]
    public async Task Invitation_is_written_in_the_language_the_inviter_chose_and_the_new_account_keeps_it()
    {
        var coordinator = await CoordinatorAsync();
        var id = await OrganisationIdAsync("Share Foundation");
        var before = app.Smtp.CountTo("macedonian.invitee@example.org");

        var response = await Forms.PostAsync(coordinator, $"/Organisations/Details/{id}",
            new Dictionary<string, string> { ["Invite.Email"] = "macedonian.invitee@example.org", ["Invite.Role"] = "Respondent", ["Invite.Culture"] = "mk" },
            $"/Organisations/Details/{id}?handler=Invite");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var mail = await app.Smtp.WaitForMessageAsync("macedonian.invitee@example.org", afterCount: before);
        Assert.Equal("Покана за порталот Консултации", mail.Subject);
        Assert.Contains("Отворете ја", mail.TextBody ?? "", StringComparison.Ordinal);
        // The coordinator's own page stays in English.
        Assert.Contains("Invitation sent to macedonian.invitee@example.org", await coordinator.GetStringAsync($"/Organisations/Details/{id}"), StringComparison.Ordinal);

        var link = new Uri(LinkRegex().Match(mail.TextBody ?? "").Value).PathAndQuery;
        var invitee = app.CreateBrowserLikeClient();
        var accepted = await Forms.PostAsync(invitee, link, new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Марија", ["Input.Password"] = "correct horse battery", ["Input.ConfirmPassword"] = "correct horse battery",
        });
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Contains("Добре дојдовте, Марија", await invitee.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invitation_page_opens_in_the_invitations_language_before_sign_in()
    {
        var coordinator = await CoordinatorAsync();
        var id = await OrganisationIdAsync("ASTRA");
        var before = app.Smtp.CountTo("albanian.invitee@example.org");
        var response = await Forms.PostAsync(coordinator, $"/Organisations/Details/{id}",
            new Dictionary<string, string> { ["Invite.Email"] = "albanian.invitee@example.org", ["Invite.Role"] = "Respondent", ["Invite.Culture"] = "sq" },
            $"/Organisations/Details/{id}?handler=Invite");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var mail = await app.Smtp.WaitForMessageAsync("albanian.invitee@example.org", afterCount: before);
        var link = new Uri(FullLinkRegex().Match(mail.TextBody ?? "").Value).PathAndQuery;

        // A browser set to English, never on the portal before (no language cookie), no account yet.
        var invitee = app.CreateBrowserLikeClient();
        invitee.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB,en;q=0.9");
        var html = await invitee.GetStringAsync(link);

        Assert.Contains("<html lang=\"sq\">", html, StringComparison.Ordinal);
        Assert.Contains("Pranoni ftesën", html, StringComparison.Ordinal);
        // The language switcher still wins once the invitee picks another language.
        var switched = await Forms.PostAsync(invitee, link, new Dictionary<string, string> { ["culture"] = "en", ["returnUrl"] = link }, "/culture");
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Contains("<html lang=\"en\">", await invitee.GetStringAsync(link), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_account_accepting_an_invitation_signs_in_on_a_page_in_the_invitations_language()
    {
        const string email = "existing.albanian@example.org";
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Consultation.Web.Infrastructure.Security.AppUser>>();
            var created = await users.CreateAsync(new Consultation.Web.Infrastructure.Security.AppUser { Email = email, DisplayName = "Arta", EmailConfirmed = true },
                Consultation.Web.Operations.DemoData.Password);
            Assert.True(created.Succeeded);
        }
        var coordinator = await CoordinatorAsync();
        var id = await OrganisationIdAsync("ASTRA");
        var before = app.Smtp.CountTo(email);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(coordinator, $"/Organisations/Details/{id}",
            new Dictionary<string, string> { ["Invite.Email"] = email, ["Invite.Role"] = "Respondent", ["Invite.Culture"] = "sq" },
            $"/Organisations/Details/{id}?handler=Invite")).StatusCode);
        var mail = await app.Smtp.WaitForMessageAsync(email, afterCount: before);
        var link = new Uri(FullLinkRegex().Match(mail.TextBody ?? "").Value).PathAndQuery;
        var invitee = app.CreateBrowserLikeClient();
        invitee.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB,en;q=0.9");

        var accepted = await Forms.PostAsync(invitee, link, new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var login = await invitee.GetStringAsync(accepted.Headers.Location!.OriginalString);
        Assert.Contains("<html lang=\"sq\">", login, StringComparison.Ordinal);
        Assert.DoesNotContain("Invitation accepted. Sign in to continue.", login, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_invitation_language_is_a_field_error()
    {
        var coordinator = await CoordinatorAsync();
        var id = await OrganisationIdAsync("ASTRA");

        var response = await Forms.PostAsync(coordinator, $"/Organisations/Details/{id}",
            new Dictionary<string, string> { ["Invite.Email"] = "klingon@example.org", ["Invite.Role"] = "Respondent", ["Invite.Culture"] = "tlh" },
            $"/Organisations/Details/{id}?handler=Invite");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Choose a language.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, app.Smtp.CountTo("klingon@example.org"));
    }

    [Fact]
    public async Task Password_reset_is_written_in_the_accounts_saved_language_not_the_requesters()
    {
        await using (var conn = Sql())
            await conn.ExecuteAsync("UPDATE users SET culture = 'sq' WHERE email = 'respondent2@demo.local'");
        var before = app.Smtp.CountTo("respondent2@demo.local");
        var requester = app.CreateBrowserLikeClient();
        requester.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en-GB,en;q=0.9");

        var response = await Forms.PostAsync(requester, "/Account/ForgotPassword", new Dictionary<string, string> { ["Input.Email"] = "respondent2@demo.local" });

        Assert.Contains("If an account exists for that address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var mail = await app.Smtp.WaitForMessageAsync("respondent2@demo.local", afterCount: before);
        Assert.Equal("Rivendosni fjalëkalimin tuaj të Konsultimit", mail.Subject);
        // The link opens the reset page in that language too, though the browser asks for English.
        var page = await requester.GetStringAsync(new Uri(FullLinkRegex().Match(mail.TextBody ?? "").Value).PathAndQuery);
        Assert.Contains("<html lang=\"sq\">", page, StringComparison.Ordinal);
        Assert.Contains("Zgjidhni një fjalëkalim të ri", page, StringComparison.Ordinal);
    }
}
