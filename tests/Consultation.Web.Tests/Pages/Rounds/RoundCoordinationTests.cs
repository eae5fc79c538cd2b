using System.Net;
using System.Text.RegularExpressions;
using Consultation.Web.Rounds;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Consultation.Web.Tests.Pages.Rounds.ResponseSeed;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Rounds;

/// <summary>The round page's progress per invited organisation, its invitation and reminder mail, and the automatic reminder.</summary>
public sealed partial class RoundCoordinationTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private const string Astra = "respondent@demo.local";
    private const string Group484 = "respondent2@demo.local";

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The same database file as <paramref name="first"/>: the app after a restart (and with its own SMTP peer).</summary>
    private sealed class RestartedPortal(PortalFactory first, int? smtpPort = null) : PortalFactory(first.Database)
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("DataProtection:KeysDirectory", Path.Combine(first.Root, "keys")),
            .. smtpPort is { } port ? [new KeyValuePair<string, string?>("Mail:SmtpPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture))] : Array.Empty<KeyValuePair<string, string?>>(),
        ];
    }

    [GeneratedRegex("""data-organisation="([^"]+)"[\s\S]*?data-progress="([A-Za-z]+)"[\s\S]*?<td>([^<]*)</td>\s*<td class="text-end">(\d+)</td>""")]
    private static partial Regex ProgressRow();

    private static Dictionary<string, (string Status, string LastActivity, int Revisions)> Progress(string html) =>
        ProgressRow().Matches(html).ToDictionary(m => m.Groups[1].Value,
            m => (m.Groups[2].Value, m.Groups[3].Value.Trim(), int.Parse(m.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task Round_page_shows_each_organisations_progress_last_activity_in_the_round_time_zone_and_revisions()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Progress states", "ASTRA", "Group 484", "Share Foundation", "Customs Administration");
        await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers(3), Answers(4)],
            at: new DateTimeOffset(2030, 1, 20, 10, 0, 0, TimeSpan.Zero));
        await InsertAsync(app, round.VersionId, "Group 484", Group484, "Draft", draftJson: """{"DRUGS_confidence":"LOW"}""",
            at: new DateTimeOffset(2030, 1, 21, 7, 15, 0, TimeSpan.Zero));
        await InsertAsync(app, round.VersionId, "Share Foundation", Astra, "Withdrawn", submissions: [Answers()]);

        var html = await client.GetStringAsync($"/Rounds/Details/{round.RoundId}");

        var progress = Progress(html);
        Assert.Equal(("Submitted", "2030-01-20 13:30", 2), progress["ASTRA"]); // updated 12:30 UTC = 13:30 in Belgrade (CET)
        Assert.Equal(("Draft", "2030-01-21 08:45", 0), progress["Group 484"]);
        Assert.Equal("Withdrawn", progress["Share Foundation"].Status);
        Assert.Equal(("NotStarted", "—", 0), progress["Customs Administration"]);
        Assert.Contains("Last activity (Europe/Belgrade)", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manual_reminder_reaches_only_members_of_organisations_that_have_not_submitted_and_is_audited()
    {
        var client = await CoordinatorAsync(app);
        // The demo data gives Group 484 two respondents; the ministry has staff but no respondent to remind.
        var round = await OpenRoundAsync(app, client, "Manual reminder", "ASTRA", "Group 484", "Ministry of Interior");
        await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);
        await InsertAsync(app, round.VersionId, "Group 484", Group484, "Draft");
        var astraBefore = app.Smtp.CountTo(Astra);
        var group484Before = app.Smtp.CountTo(Group484);

        var response = await PostAsync(client, $"/Rounds/Details/{round.RoundId}", [new("mailKey", Guid.NewGuid().ToString("N"))],
            $"/Rounds/Details/{round.RoundId}?handler=Reminders");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var mail = await app.Smtp.WaitForMessageAsync(Group484, m => (m.Subject ?? "").StartsWith("Reminder: Manual reminder", StringComparison.Ordinal));
        Assert.Contains("Group 484 has not yet submitted", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("/Respond", mail.TextBody, StringComparison.Ordinal);
        Assert.Equal(group484Before + 1, app.Smtp.CountTo(Group484));
        await Task.Delay(300); // a mail to ASTRA would have arrived by now: it was sent before Group 484's
        Assert.Equal(astraBefore, app.Smtp.CountTo(Astra));

        var page = await client.GetStringAsync($"/Rounds/Details/{round.RoundId}");
        Assert.Contains("Reminders sent to the organisations that have not submitted — people: 2, organisations: 1.", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Contains("Organisations without a member who can sign in (invite people to them first): 1.", WebUtility.HtmlDecode(page), StringComparison.Ordinal); // the ministry

        await using var conn = Open(app);
        var audit = await conn.QuerySingleAsync<(string ActorEmail, string Details)>(
            "SELECT actor_email, details FROM audit_log WHERE action = 'round.reminders_sent' AND target = @Target", new { Target = $"round:{round.RoundId}" });
        Assert.Equal("coordinator@demo.local", audit.ActorEmail);
        Assert.Contains("1 organisations, 2 recipients, 0 failed", audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Posting_the_same_reminder_form_twice_sends_once()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Double click", "Group 484");
        var before = app.Smtp.CountTo(Group484);
        var key = Guid.NewGuid().ToString("N");

        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, $"/Rounds/Details/{round.RoundId}", [new("mailKey", key)],
                $"/Rounds/Details/{round.RoundId}?handler=Reminders")).StatusCode);

        await app.Smtp.WaitForMessageAsync(Group484, m => (m.Subject ?? "").StartsWith("Reminder: Double click", StringComparison.Ordinal));
        Assert.Equal(before + 1, app.Smtp.CountTo(Group484));
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Details/{round.RoundId}"));
        Assert.Contains("Organisations that had this mail already: 1.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invitations_tell_every_invited_organisations_members_that_the_round_is_open_with_a_link_to_respond()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Invitation mail", "ASTRA", "Group 484");
        await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);

        var response = await PostAsync(client, $"/Rounds/Details/{round.RoundId}", [new("mailKey", Guid.NewGuid().ToString("N"))],
            $"/Rounds/Details/{round.RoundId}?handler=Invitations");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        foreach (var email in new[] { Astra, Group484 })
        {
            var mail = await app.Smtp.WaitForMessageAsync(email, m => m.Subject == "Consultation open: Invitation mail");
            Assert.Matches(@"http://localhost/Respond", mail.TextBody);
            Assert.Contains("until 2030-02-10 17:00 (Europe/Belgrade)", mail.TextBody, StringComparison.Ordinal);
        }
        await using var conn = Open(app);
        Assert.Equal(1, await conn.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'round.invitations_sent' AND target = @Target", new { Target = $"round:{round.RoundId}" }));
    }

    [Fact]
    public async Task Reminder_is_written_in_the_language_the_member_chose()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Jezik podsetnika", "Group 484");
        await using var conn = Open(app);
        await conn.ExecuteAsync("UPDATE users SET culture = 'sr-Latn' WHERE email = @Group484", new { Group484 });
        try
        {
            await PostAsync(client, $"/Rounds/Details/{round.RoundId}", [new("mailKey", Guid.NewGuid().ToString("N"))],
                $"/Rounds/Details/{round.RoundId}?handler=Reminders");

            var mail = await app.Smtp.WaitForMessageAsync(Group484, m => (m.Subject ?? "").StartsWith("Podsetnik: Jezik podsetnika", StringComparison.Ordinal));
            Assert.Contains("Group 484 još nije podnela sve upitnike", mail.TextBody, StringComparison.Ordinal);
        }
        finally
        {
            await conn.ExecuteAsync("UPDATE users SET culture = NULL WHERE email = @Group484", new { Group484 });
        }
        // The coordinator's own page stays in English (Group 484 has two demo respondents).
        Assert.Contains("people: 2,", WebUtility.HtmlDecode(await client.GetStringAsync($"/Rounds/Details/{round.RoundId}")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mail_is_refused_for_a_round_that_is_not_open()
    {
        var client = await CoordinatorAsync(app);
        var roundId = await CreateRoundAsync(client, "Still a draft", [await OrganisationIdAsync(app, "Group 484")]);
        var before = app.Smtp.CountTo(Group484);

        var response = await PostAsync(client, $"/Rounds/Details/{roundId}", [new("mailKey", Guid.NewGuid().ToString("N"))],
            $"/Rounds/Details/{roundId}?handler=Reminders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("only while the round is open", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, app.Smtp.CountTo(Group484));
    }

    private static async Task<DateTimeOffset> SetReminderAsync(PortalFactory app, long roundId, int days)
    {
        await using var conn = Open(app);
        await conn.ExecuteAsync("UPDATE rounds SET reminder_days_before_close = @days WHERE id = @roundId", new { days, roundId });
        return DateTimeOffset.Parse(await conn.ExecuteScalarAsync<string>("SELECT closes_at FROM rounds WHERE id = @roundId", new { roundId }) ?? "",
            System.Globalization.CultureInfo.InvariantCulture);
    }

    private static ReminderService Service(PortalFactory app, DateTimeOffset now) =>
        new(app.Services.GetRequiredService<IServiceScopeFactory>(), new FixedClock(now), Options.Create(new RemindersOptions()), NullLogger<ReminderService>.Instance);

    [Fact]
    public async Task Automatic_reminder_goes_out_once_per_schedule_even_after_a_restart()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Automatic reminder", "ASTRA", "Group 484");
        await InsertAsync(app, round.VersionId, "ASTRA", Astra, "Submitted", submissions: [Answers()]);
        var closesAt = await SetReminderAsync(app, round.RoundId, 3);
        var astraBefore = app.Smtp.CountTo(Astra);
        var before = app.Smtp.CountTo(Group484);

        Assert.DoesNotContain(round.RoundId, await Service(app, closesAt.AddDays(-3).AddMinutes(-1)).RunOnceAsync()); // not yet due
        Assert.Contains(round.RoundId, await Service(app, closesAt.AddDays(-2)).RunOnceAsync());
        await app.Smtp.WaitForMessageAsync(Group484, m => (m.Subject ?? "").StartsWith("Reminder: Automatic reminder", StringComparison.Ordinal));
        Assert.DoesNotContain(round.RoundId, await Service(app, closesAt.AddDays(-1)).RunOnceAsync()); // same schedule, next pass

        // The app restarts on the same database: its own service finds the reminder already sent.
        await using (var restarted = new RestartedPortal(app))
        {
            await restarted.InitializeAsync();
            Assert.DoesNotContain(round.RoundId, await Service(restarted, closesAt.AddHours(-2)).RunOnceAsync());
            Assert.Equal(0, restarted.Smtp.CountTo(Group484));
        }

        Assert.Equal(before + 1, app.Smtp.CountTo(Group484));
        Assert.Equal(astraBefore, app.Smtp.CountTo(Astra)); // ASTRA submitted
        await using var conn = Open(app);
        var audit = await conn.QuerySingleAsync<string>(
            "SELECT actor_email FROM audit_log WHERE action = 'round.reminders_sent' AND target = @Target", new { Target = $"round:{round.RoundId}" });
        Assert.Equal("system", audit);

        // Moving the closing time is a new schedule: one more reminder.
        await conn.ExecuteAsync("UPDATE rounds SET closes_at = @Later WHERE id = @RoundId", new { Later = Iso(closesAt.AddDays(1)), round.RoundId });
        Assert.Contains(round.RoundId, await Service(app, closesAt.AddDays(-1)).RunOnceAsync());
        await app.Smtp.WaitForMessageAsync(Group484, m => (m.Subject ?? "").StartsWith("Reminder: Automatic reminder", StringComparison.Ordinal), afterCount: 1);
    }

    [Fact]
    public async Task Two_instances_passing_at_the_same_moment_send_the_reminder_once()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Two instances", "Group 484");
        var closesAt = await SetReminderAsync(app, round.RoundId, 2);
        var before = app.Smtp.CountTo(Group484);
        await using var second = new RestartedPortal(app);
        await second.InitializeAsync();

        var passes = await Task.WhenAll(
            Service(app, closesAt.AddDays(-1)).RunOnceAsync(), Service(second, closesAt.AddDays(-1)).RunOnceAsync(),
            Service(app, closesAt.AddDays(-1)).RunOnceAsync());

        Assert.Equal(1, passes.Count(p => p.Contains(round.RoundId)));
        await Task.Delay(500);
        Assert.Equal(1, app.Smtp.CountTo(Group484) - before + second.Smtp.CountTo(Group484));
    }

    [Fact]
    public async Task Reminder_that_could_not_be_sent_is_recorded_and_retried_on_the_next_pass()
    {
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Mail server down", "Group 484");
        var closesAt = await SetReminderAsync(app, round.RoundId, 5);
        var before = app.Smtp.CountTo(Group484);

        // The same database served by an instance whose mail server does not answer.
        await using (var down = new RestartedPortal(app, smtpPort: SmtpPeer.FreePort()))
        {
            await down.InitializeAsync();
            Assert.DoesNotContain(round.RoundId, await Service(down, closesAt.AddDays(-1)).RunOnceAsync());
        }
        await using (var conn = Open(app))
        {
            var row = await conn.QuerySingleAsync<(string? DeliveredAt, string? LastError, long Attempts)>(
                "SELECT delivered_at, last_error, attempts FROM reminders_sent WHERE round_id = @RoundId", new { round.RoundId });
            Assert.Null(row.DeliveredAt);
            Assert.NotNull(row.LastError);
            Assert.Equal(1, row.Attempts);
        }
        Assert.Contains("Last mail failed", await client.GetStringAsync($"/Rounds/Details/{round.RoundId}"), StringComparison.Ordinal);

        Assert.Contains(round.RoundId, await Service(app, closesAt.AddDays(-1).AddMinutes(5)).RunOnceAsync());
        await app.Smtp.WaitForMessageAsync(Group484, m => (m.Subject ?? "").StartsWith("Reminder: Mail server down", StringComparison.Ordinal));
        Assert.Equal(before + 1, app.Smtp.CountTo(Group484));
        Assert.DoesNotContain(round.RoundId, await Service(app, closesAt.AddDays(-1).AddMinutes(10)).RunOnceAsync());
    }

    [Theory]
    [InlineData("respondent@demo.local", "Reminders")]
    [InlineData("respondent@demo.local", "Invitations")]
    [InlineData("facilitator@demo.local", "Reminders")]
    [InlineData("facilitator@demo.local", "Invitations")]
    public async Task Respondents_and_facilitators_cannot_send_round_mail(string email, string handler)
    {
        var coordinator = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, coordinator, $"Not yours {email} {handler}", "Group 484");
        var before = app.Smtp.CountTo(Group484);
        var page = await coordinator.GetStringAsync($"/Rounds/Details/{round.RoundId}");
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, email);

        var response = await client.PostAsync($"/Rounds/Details/{round.RoundId}?handler={handler}",
            new FormUrlEncodedContent([new("mailKey", Guid.NewGuid().ToString("N")), new("__RequestVerificationToken", Forms.Token(page))]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, app.Smtp.CountTo(Group484));
    }

    [Fact]
    public async Task A_disabled_member_gets_no_invitation_or_reminder_and_is_not_counted_as_a_recipient()
    {
        const string Disabled = "respondent3@demo.local"; // Group 484's second demo respondent
        var client = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, client, "Disabled member", "Group 484");
        var admin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(admin, "admin@demo.local");
        var userId = new Dictionary<string, string> { ["userId"] = (await UserIdAsync(app, Disabled)).ToString(System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(admin, "/Admin/Users", userId, "/Admin/Users?handler=Disable")).StatusCode);
        try
        {
            var disabledBefore = app.Smtp.CountTo(Disabled);
            var group484Before = app.Smtp.CountTo(Group484);

            Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, $"/Rounds/Details/{round.RoundId}", [new("mailKey", Guid.NewGuid().ToString("N"))],
                $"/Rounds/Details/{round.RoundId}?handler=Invitations")).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(client, $"/Rounds/Details/{round.RoundId}", [new("mailKey", Guid.NewGuid().ToString("N"))],
                $"/Rounds/Details/{round.RoundId}?handler=Reminders")).StatusCode);
            var closesAt = await SetReminderAsync(app, round.RoundId, 3);
            Assert.Contains(round.RoundId, await Service(app, closesAt.AddDays(-1)).RunOnceAsync());

            // Each send returns after the SMTP peer took every mail: the active member got three, the disabled one none.
            Assert.Equal(group484Before + 3, app.Smtp.CountTo(Group484));
            Assert.Equal(disabledBefore, app.Smtp.CountTo(Disabled));
            await using var conn = Open(app);
            var recipients = (await conn.QueryAsync<long>(
                "SELECT recipients FROM reminders_sent WHERE round_id = @RoundId ORDER BY id", new { round.RoundId })).ToList();
            Assert.Equal([1L, 1L, 1L], recipients);
            var audit = (await conn.QueryAsync<string>("SELECT details FROM audit_log WHERE target = @Target AND action IN ('round.invitations_sent', 'round.reminders_sent')",
                new { Target = $"round:{round.RoundId}" })).ToList();
            Assert.Equal(3, audit.Count);
            Assert.All(audit, d => Assert.Contains("1 organisations, 1 recipients", d, StringComparison.Ordinal));
        }
        finally
        {
            Assert.Equal(HttpStatusCode.Redirect, (await Forms.PostAsync(admin, "/Admin/Users", userId, "/Admin/Users?handler=Enable")).StatusCode);
        }
    }

    [GeneratedRegex("""<form[^>]*\?handler=(Invitations|Reminders)"[\s\S]*?</form>""")]
    private static partial Regex MailFormTag();

    [GeneratedRegex("""name="(mailKey|lastSent)" value="([^"]*)" """)]
    private static partial Regex MailField();

    /// <summary>What the browser posts when the button of <paramref name="handler"/>'s form on <paramref name="html"/> is pressed.</summary>
    private static FormUrlEncodedContent MailForm(string html, string handler)
    {
        var form = MailFormTag().Matches(html).Single(m => m.Groups[1].Value == handler).Value;
        var fields = MailField().Matches(form).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        Assert.Equal(2, fields.Count);
        fields["__RequestVerificationToken"] = Forms.Token(form);
        return new FormUrlEncodedContent(fields);
    }

    [GeneratedRegex("""data-sent="(invitations|reminders)">([^<]*)<""")]
    private static partial Regex LastSent();

    private static Dictionary<string, string> LastSentShown(string html) =>
        LastSent().Matches(html).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value).Trim());

    [Theory]
    [InlineData("Invitations")]
    [InlineData("Reminders")]
    public async Task A_send_from_a_page_loaded_before_the_latest_send_of_its_kind_sends_nothing_until_pressed_again(string handler)
    {
        var coordinator = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, coordinator, $"Old tab {handler}", "Group 484");
        var url = $"/Rounds/Details/{round.RoundId}";
        var oldTab = await coordinator.GetStringAsync(url);
        Assert.Equal(new Dictionary<string, string> { ["invitations"] = "Never", ["reminders"] = "Never" }, LastSentShown(oldTab));

        // Meanwhile a second coordinator sends the same kind of mail.
        var second = await CoordinatorAsync(app);
        Assert.Equal(HttpStatusCode.Redirect, (await second.PostAsync($"{url}?handler={handler}", MailForm(await second.GetStringAsync(url), handler))).StatusCode);
        var shown = LastSentShown(await second.GetStringAsync(url));
        var kind = handler.ToLowerInvariant();
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d \(Europe/Belgrade\)$", shown[kind]);
        Assert.Equal("Never", shown[kind == "invitations" ? "reminders" : "invitations"]);
        var before = app.Smtp.CountTo(Group484);

        // The first coordinator presses the button on the page loaded before that send: nothing goes out, and the page says why.
        var refused = await coordinator.PostAsync($"{url}?handler={handler}", MailForm(oldTab, handler));
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains($"{handler} were already sent at {shown[kind]}, after this page was loaded, so none were sent now. Press “Send {kind}” again to send them once more.",
            WebUtility.HtmlDecode(html), StringComparison.Ordinal);
        Assert.Equal(shown, LastSentShown(html));
        Assert.Equal(before, app.Smtp.CountTo(Group484));

        // Pressing it again on the page that said so sends once more.
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.PostAsync($"{url}?handler={handler}", MailForm(html, handler))).StatusCode);
        Assert.Equal(before + 1, app.Smtp.CountTo(Group484));
    }

    [Fact]
    public async Task An_automatic_reminder_sent_after_the_page_was_loaded_holds_back_the_manual_one()
    {
        var coordinator = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, coordinator, "Automatic first", "Group 484");
        var url = $"/Rounds/Details/{round.RoundId}";
        var page = await coordinator.GetStringAsync(url);
        var closesAt = await SetReminderAsync(app, round.RoundId, 3);
        Assert.Contains(round.RoundId, await Service(app, closesAt.AddDays(-1)).RunOnceAsync());
        var before = app.Smtp.CountTo(Group484);

        var refused = await coordinator.PostAsync($"{url}?handler=Reminders", MailForm(page, "Reminders"));

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Reminders were already sent at", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(before, app.Smtp.CountTo(Group484));
        // Invitations are another kind: the same old page still sends them.
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.PostAsync($"{url}?handler=Invitations", MailForm(page, "Invitations"))).StatusCode);
        Assert.Equal(before + 1, app.Smtp.CountTo(Group484));
    }

    [Fact]
    public async Task Pressing_the_button_twice_on_one_page_sends_once_and_says_the_organisations_had_it()
    {
        var coordinator = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, coordinator, "Double click on the page", "Group 484");
        var url = $"/Rounds/Details/{round.RoundId}";
        var page = await coordinator.GetStringAsync(url);
        var before = app.Smtp.CountTo(Group484);

        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Redirect, (await coordinator.PostAsync($"{url}?handler=Invitations", MailForm(page, "Invitations"))).StatusCode);

        Assert.Equal(before + 1, app.Smtp.CountTo(Group484));
        Assert.Contains("Organisations that had this mail already: 1.", WebUtility.HtmlDecode(await coordinator.GetStringAsync(url)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_last_sent_value_is_taken_as_knowing_of_no_send()
    {
        var coordinator = await CoordinatorAsync(app);
        var round = await OpenRoundAsync(app, coordinator, "Malformed stamp", "Group 484");
        var url = $"/Rounds/Details/{round.RoundId}";
        Assert.Equal(HttpStatusCode.Redirect, (await PostAsync(coordinator, url, [new("mailKey", Guid.NewGuid().ToString("N")), new("lastSent", "yesterday")],
            $"{url}?handler=Invitations")).StatusCode); // nothing sent yet: sent
        var before = app.Smtp.CountTo(Group484);

        var again = await PostAsync(coordinator, url, [new("mailKey", Guid.NewGuid().ToString("N")), new("lastSent", "2030-13-45T99:00:00Z")], $"{url}?handler=Invitations");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Invitations were already sent at", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(before, app.Smtp.CountTo(Group484));
    }
}
