using System.Net;
using System.Text.RegularExpressions;
using Dapper;

namespace Consultation.Web.Tests.Pages.Organisations;

/// <summary>The invitation flow end to end against the real SMTP peer.</summary>
public sealed partial class InvitationTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [GeneratedRegex(@"https?://\S+/Account/AcceptInvitation\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex LinkRegex();

    private System.Data.Common.DbConnection Sql() => app.Connection();

    private async Task<long> OrganisationIdAsync(string name)
    {
        await using var conn = Sql();
        return await conn.ExecuteScalarAsync<long>("SELECT id FROM organisations WHERE name = @name", new { name });
    }

    private async Task<string> InviteAsync(HttpClient coordinator, string email, string role, string organisation)
    {
        var id = await OrganisationIdAsync(organisation);
        var before = app.Smtp.CountTo(email);
        var response = await Forms.PostAsync(coordinator, $"/Organisations/Details/{id}",
            new Dictionary<string, string> { ["Invite.Email"] = email, ["Invite.Role"] = role },
            $"/Organisations/Details/{id}?handler=Invite");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var mail = await app.Smtp.WaitForMessageAsync(email, afterCount: before);
        Assert.Equal("Invitation to the Consultation portal", mail.Subject);
        var link = LinkRegex().Match(mail.TextBody ?? "");
        Assert.True(link.Success, "The mail carries the invitation link: " + mail.TextBody);
        return new Uri(link.Value).PathAndQuery;
    }

    private async Task<HttpClient> CoordinatorAsync()
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, "coordinator@demo.local");
        return client;
    }

    private static Dictionary<string, string> NewAccount(string name, string password = "correct horse battery") => new()
    {
        ["Input.DisplayName"] = name, ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
    };

    [Fact]
    public async Task Invitee_receives_the_mail_sets_a_password_and_the_link_works_only_once()
    {
        var link = await InviteAsync(await CoordinatorAsync(), "new.ngo@example.org", "Respondent", "Share Foundation");

        var invitee = app.CreateBrowserLikeClient();
        var accepted = await Forms.PostAsync(invitee, link, NewAccount("Ana Anić"));

        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal("/", accepted.Headers.Location!.OriginalString);
        var home = await invitee.GetStringAsync("/");
        Assert.Contains("Welcome, Ana Anić", home, StringComparison.Ordinal);
        Assert.Contains("Organisation: Share Foundation", home, StringComparison.Ordinal);

        var again = await app.CreateBrowserLikeClient().GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("This invitation has already been used", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The new account signs in with the password it chose.
        var login = await Forms.LoginAsync(app.CreateBrowserLikeClient(), "new.ngo@example.org", "correct horse battery");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
    }

    [Fact]
    public async Task The_invitation_of_a_disabled_account_says_so_and_is_not_spent()
    {
        var link = await InviteAsync(await CoordinatorAsync(), "disabled.invitee@example.org", "Respondent", "Share Foundation");
        await using (var conn = Sql())
            await conn.ExecuteAsync("UPDATE users SET disabled_at = '2026-06-01T00:00:00.0000000Z' WHERE email = 'disabled.invitee@example.org'");

        var page = await app.CreateBrowserLikeClient().GetStringAsync(link);
        Assert.Contains("This account is disabled", page, StringComparison.Ordinal);
        var invitee = app.CreateBrowserLikeClient();
        var form = Forms.Token(await invitee.GetStringAsync(link));
        var post = await invitee.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>(NewAccount("Ghost")) { ["__RequestVerificationToken"] = form }));

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Contains("This account is disabled", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = Sql();
        Assert.Null(await db.ExecuteScalarAsync<string?>(
            "SELECT i.accepted_at FROM invitations i JOIN users u ON u.id = i.user_id WHERE u.email = 'disabled.invitee@example.org'"));
        Assert.Null(await db.ExecuteScalarAsync<string?>("SELECT password_hash FROM users WHERE email = 'disabled.invitee@example.org'"));
    }

    [Fact]
    public async Task A_coordinator_withdraws_a_pending_invitation_and_its_link_stops_working()
    {
        var coordinator = await CoordinatorAsync();
        var link = await InviteAsync(coordinator, "mistyped@exampel.org", "Respondent", "Share Foundation");
        var org = await OrganisationIdAsync("Share Foundation");
        await using var conn = Sql();
        var invitationId = await conn.ExecuteScalarAsync<long>("SELECT id FROM invitations WHERE email = 'mistyped@exampel.org'");
        Assert.Contains("mistyped@exampel.org", await coordinator.GetStringAsync($"/Organisations/Details/{org}"), StringComparison.Ordinal);

        var withdrawn = await Forms.PostAsync(coordinator, $"/Organisations/Details/{org}",
            new Dictionary<string, string> { ["invitationId"] = invitationId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            $"/Organisations/Details/{org}?handler=RevokeInvitation");

        Assert.Equal(HttpStatusCode.Redirect, withdrawn.StatusCode);
        var page = await coordinator.GetStringAsync($"/Organisations/Details/{org}");
        Assert.Contains("The invitation to mistyped@exampel.org is withdrawn", page, StringComparison.Ordinal);
        Assert.Contains("This invitation is no longer valid", await app.CreateBrowserLikeClient().GetStringAsync(link), StringComparison.Ordinal);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'invitation.revoked' AND details = 'mistyped@exampel.org'"));
        // An invitation of another organisation is not this page's to withdraw.
        var other = await OrganisationIdAsync("ASTRA");
        var foreign = await Forms.PostAsync(coordinator, $"/Organisations/Details/{other}",
            new Dictionary<string, string> { ["invitationId"] = "999999" }, $"/Organisations/Details/{other}?handler=RevokeInvitation");
        Assert.Equal(HttpStatusCode.Redirect, foreign.StatusCode);
        Assert.Contains("That invitation was already accepted or withdrawn.", await coordinator.GetStringAsync($"/Organisations/Details/{other}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_tabs_with_the_same_link_only_the_first_submission_wins()
    {
        var link = await InviteAsync(await CoordinatorAsync(), "twice@example.org", "Respondent", "Share Foundation");
        var tabA = app.CreateBrowserLikeClient();
        var tabB = app.CreateBrowserLikeClient();
        var tokenA = Forms.Token(await tabA.GetStringAsync(link));
        var tokenB = Forms.Token(await tabB.GetStringAsync(link));

        var a = await tabA.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>(NewAccount("First", "first password 123")) { ["__RequestVerificationToken"] = tokenA }));
        var b = await tabB.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string>(NewAccount("Second", "second password 456")) { ["__RequestVerificationToken"] = tokenB }));

        Assert.Equal(HttpStatusCode.Redirect, a.StatusCode);
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        Assert.Contains("already been used", await b.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(app.CreateBrowserLikeClient(), "twice@example.org", "first password 123")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Forms.LoginAsync(app.CreateBrowserLikeClient(), "twice@example.org", "second password 456")).StatusCode);
    }

    [Fact]
    public async Task Tampered_link_gets_a_clear_page_not_an_error()
    {
        var link = await InviteAsync(await CoordinatorAsync(), "tamper@example.org", "Respondent", "ASTRA");
        var tampered = link[..^3] + (link[^3..] == "AAA" ? "BBB" : "AAA");

        var response = await app.CreateBrowserLikeClient().GetAsync(tampered);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("This invitation link is not valid", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_link_gets_a_clear_page()
    {
        var link = await InviteAsync(await CoordinatorAsync(), "late@example.org", "Respondent", "ASTRA");
        await using (var conn = Sql())
            await conn.ExecuteAsync("UPDATE invitations SET expires_at = '2020-01-01T00:00:00.0000000Z' WHERE email = 'late@example.org'");

        var response = await app.CreateBrowserLikeClient().GetAsync(link);

        Assert.Contains("This invitation has expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var post = await Forms.PostAsync(app.CreateBrowserLikeClient(), link, NewAccount("Late"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        await using var c = Sql();
        Assert.Null(await c.ExecuteScalarAsync<string?>("SELECT password_hash FROM users WHERE email = 'late@example.org'"));
    }

    [Fact]
    public async Task Reinviting_an_address_reuses_the_account_and_only_the_newest_link_works()
    {
        var coordinator = await CoordinatorAsync();
        var first = await InviteAsync(coordinator, "Again@Example.org", "Respondent", "Group 484");
        var second = await InviteAsync(coordinator, "again@example.org", "Respondent", "Group 484");

        await using (var conn = Sql())
            Assert.Equal(1, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE normalized_email = 'AGAIN@EXAMPLE.ORG'"));
        Assert.Contains("This invitation is no longer valid", await app.CreateBrowserLikeClient().GetStringAsync(first), StringComparison.Ordinal);
        var accepted = await Forms.PostAsync(app.CreateBrowserLikeClient(), second, NewAccount("Again"));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
    }

    [Fact]
    public async Task Invitation_is_audited_with_actor()
    {
        await InviteAsync(await CoordinatorAsync(), "audited@example.org", "Facilitator", "Ministry of Interior");

        await using var conn = Sql();
        var actor = await conn.ExecuteScalarAsync<string>("SELECT actor_email FROM audit_log WHERE action = 'invitation.sent' AND details LIKE 'audited@example.org%'");
        Assert.Equal("coordinator@demo.local", actor);
    }

    [Fact]
    public async Task Coordinator_cannot_invite_an_administrator()
    {
        var coordinator = await CoordinatorAsync();
        var id = await OrganisationIdAsync("ASTRA");

        var response = await Forms.PostAsync(coordinator, $"/Organisations/Details/{id}",
            new Dictionary<string, string> { ["Invite.Email"] = "sneaky@example.org", ["Invite.Role"] = "Administrator" },
            $"/Organisations/Details/{id}?handler=Invite");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You cannot invite someone with this role.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var conn = Sql();
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM invitations WHERE email = 'sneaky@example.org'"));
    }

    [Fact]
    public async Task Invalid_email_keeps_the_form_and_names_the_field()
    {
        var coordinator = await CoordinatorAsync();
        var id = await OrganisationIdAsync("ASTRA");

        var response = await Forms.PostAsync(coordinator, $"/Organisations/Details/{id}",
            new Dictionary<string, string> { ["Invite.Email"] = "not-an-address", ["Invite.Role"] = "Respondent" },
            $"/Organisations/Details/{id}?handler=Invite");

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Enter a valid email address.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"not-an-address\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_of_another_organisation_cannot_be_invited_into_a_second_one()
    {
        var coordinator = await CoordinatorAsync();
        var id = await OrganisationIdAsync("Share Foundation");

        var response = await Forms.PostAsync(coordinator, $"/Organisations/Details/{id}",
            new Dictionary<string, string> { ["Invite.Email"] = "respondent@demo.local", ["Invite.Role"] = "Respondent" },
            $"/Organisations/Details/{id}?handler=Invite");

        Assert.Contains("This person already belongs to another organisation.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<(long? OrganisationId, string? AcceptedAt, string? RevokedAt)> StateAsync(string email, string invitedTo)
    {
        await using var conn = Sql();
        return await conn.QuerySingleAsync<(long?, string?, string?)>("""
            SELECT u.organisation_id, i.accepted_at, i.revoked_at FROM invitations i JOIN users u ON u.id = i.user_id
              JOIN organisations o ON o.id = i.organisation_id
             WHERE u.email = @email AND o.name = @invitedTo
            """, new { email, invitedTo });
    }

    private static async Task<HttpResponseMessage> AcceptExistingAsync(HttpClient client, string link) =>
        await client.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Forms.Token(await client.GetStringAsync(link)) }));

    [Fact]
    public async Task Accepting_an_invitation_withdraws_the_persons_pending_invitations_to_other_organisations()
    {
        // QA's steps: invited to two organisations while belonging to none (both allowed), accepts the first.
        var coordinator = await CoordinatorAsync();
        var astraLink = await InviteAsync(coordinator, "dual@example.org", "Respondent", "ASTRA");
        var group484Link = await InviteAsync(coordinator, "dual@example.org", "Respondent", "Group 484");
        var astra = await OrganisationIdAsync("ASTRA");
        var group484 = await OrganisationIdAsync("Group 484");
        Assert.Contains("dual@example.org", await coordinator.GetStringAsync($"/Organisations/Details/{group484}"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(app.CreateBrowserLikeClient(), astraLink, NewAccount("Dual"))).StatusCode);

        var withdrawn = await StateAsync("dual@example.org", "Group 484");
        Assert.Equal(astra, withdrawn.OrganisationId);
        Assert.Null(withdrawn.AcceptedAt);
        Assert.NotNull(withdrawn.RevokedAt);
        Assert.DoesNotContain("dual@example.org", await coordinator.GetStringAsync($"/Organisations/Details/{group484}"), StringComparison.Ordinal);
        await using (var conn = Sql())
            Assert.Equal(1, await conn.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'invitation.revoked' AND target = @Target AND details LIKE 'dual@example.org%'",
                new { Target = $"organisation:{group484}" }));

        // The Group 484 link, opened later in another browser, says why it cannot be used; accepting changes nothing.
        var other = app.CreateBrowserLikeClient();
        var page = WebUtility.HtmlDecode(await other.GetStringAsync(group484Link));
        Assert.Contains("Your account already belongs to another organisation", page, StringComparison.Ordinal);
        Assert.Contains("This invitation is to join Group 484, but the account dual@example.org belongs to ASTRA", page, StringComparison.Ordinal);
        var post = await AcceptExistingAsync(other, group484Link);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Contains("Your account already belongs to another organisation", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(astra, (await StateAsync("dual@example.org", "Group 484")).OrganisationId);
    }

    [Fact]
    public async Task An_invitation_to_another_organisation_than_the_accounts_is_refused_and_stays_unused()
    {
        var coordinator = await CoordinatorAsync();
        var astraLink = await InviteAsync(coordinator, "left.over@example.org", "Respondent", "ASTRA");
        var shareLink = await InviteAsync(coordinator, "left.over@example.org", "Facilitator", "Share Foundation");
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(app.CreateBrowserLikeClient(), astraLink, NewAccount("Left Over"))).StatusCode);
        // A pending invitation the acceptance did not withdraw (one sent before that rule existed).
        await using var conn = Sql();
        await conn.ExecuteAsync("""
            UPDATE invitations SET revoked_at = NULL
             WHERE email = 'left.over@example.org' AND organisation_id = (SELECT id FROM organisations WHERE name = 'Share Foundation')
            """);
        var astra = await OrganisationIdAsync("ASTRA");

        var invitee = app.CreateBrowserLikeClient();
        var page = WebUtility.HtmlDecode(await invitee.GetStringAsync(shareLink));
        Assert.Contains("This invitation is to join Share Foundation, but the account left.over@example.org belongs to ASTRA", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Accept invitation</button>", page, StringComparison.Ordinal);
        var post = await AcceptExistingAsync(invitee, shareLink);

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Contains("Your account already belongs to another organisation", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((astra, (string?)null, (string?)null), await StateAsync("left.over@example.org", "Share Foundation"));
        Assert.Equal(["Respondent"], await conn.QueryAsync<string>("""
            SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id WHERE u.email = 'left.over@example.org'
            """));
    }
}
