using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Operations;
using Dapper;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Consultation.Browser.Tests;

/// <summary>
/// Every Razor page the app maps — discovered from the endpoint data sources, like
/// AuthorizationMatrixTests — has an axe-core check in English and one other language. The pages that need
/// live or seeded state are checked in <see cref="AccessibilityTests"/>; this class checks the rest (in English
/// and Albanian) and fails when a new page appears with no check at all.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class PageAccessibilityCoverageTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    /// <summary>Pages checked by <see cref="AccessibilityTests.Pages_have_no_serious_or_critical_accessibility_violations"/> (en, sr-Latn).</summary>
    private static readonly string[] CheckedByPagesTest =
    [
        "/", "/Account/Login", "/Account/ForgotPassword", "/Account/Manage", "/Account/Manage/ChangePassword", "/Account/Manage/TwoFactor",
        "/Admin", "/Admin/Users", "/Admin/Audit", "/Organisations", "/Organisations/Create", "/Rounds", "/Rounds/Create",
        "/Workshops", "/Workshops/Create",
    ];

    /// <summary>Pages checked by <see cref="AccessibilityTests.Evidence_workshop_and_join_pages_have_no_serious_or_critical_violations"/> (en, mk).</summary>
    private static readonly string[] CheckedByLiveTest =
    [
        "/join/{code?}", "/Workshops/Control/{id:long}", "/Workshops/Screen/{id:long}",
        "/Evidence/{roundId:long}", "/Evidence/Cell/{roundId:long}/{crimeArea}/{indicator}", "/Evidence/Report/{roundId:long}",
    ];

    private enum Who { Anonymous, Respondent, Coordinator, Administrator, TwoFactor }

    /// <summary>The state the pages below are opened with (ids made once per test class).</summary>
    private sealed record State(long RoundId, long QuestionnaireId, long ResponseId, long OrganisationId, long SnapshotId, string FactorKey, string InvitationLink);

    /// <summary>The pages checked here: who opens them, where, and the status the page answers with.</summary>
    private static readonly Dictionary<string, (Who Who, Func<State, string> Url, int Status)> CheckedHere = new(StringComparer.Ordinal)
    {
        ["/Account/AccessDenied"] = (Who.Anonymous, _ => "/Account/AccessDenied", 403),
        ["/Account/AcceptInvitation"] = (Who.Anonymous, s => s.InvitationLink, 200),
        ["/Account/Logout"] = (Who.Anonymous, _ => "/Account/Logout", 200),
        ["/Account/ResetPassword"] = (Who.Anonymous, _ => "/Account/ResetPassword?userId=1&code=not-a-real-code", 200),
        ["/Error/{code:int?}"] = (Who.Anonymous, _ => "/Error/404", 404),
        ["/Account/LoginWith2fa"] = (Who.TwoFactor, _ => "/Account/LoginWith2fa", 200),
        ["/Account/LoginWithRecoveryCode"] = (Who.TwoFactor, _ => "/Account/LoginWithRecoveryCode", 200),
        ["/Respond"] = (Who.Respondent, _ => "/Respond", 200),
        ["/Respond/Form/{id:long}"] = (Who.Respondent, s => $"/Respond/Form/{s.QuestionnaireId}", 200),
        ["/Rounds/Details/{id:long}"] = (Who.Coordinator, s => $"/Rounds/Details/{s.RoundId}", 200),
        ["/Rounds/Edit/{id:long}"] = (Who.Coordinator, s => $"/Rounds/Edit/{s.RoundId}", 200),
        ["/Rounds/{roundId:long}/Responses"] = (Who.Coordinator, s => $"/Rounds/{s.RoundId}/Responses", 200),
        ["/Rounds/Responses/{id:long}"] = (Who.Coordinator, s => $"/Rounds/Responses/{s.ResponseId}", 200),
        ["/Questionnaires/Create/{roundId:long}"] = (Who.Coordinator, s => $"/Questionnaires/Create/{s.RoundId}", 200),
        ["/Questionnaires/Edit/{id:long}"] = (Who.Coordinator, s => $"/Questionnaires/Edit/{s.QuestionnaireId}", 200),
        ["/Organisations/Details/{id:long}"] = (Who.Coordinator, s => $"/Organisations/Details/{s.OrganisationId}", 200),
        ["/Organisations/Edit/{id:long}"] = (Who.Coordinator, s => $"/Organisations/Edit/{s.OrganisationId}", 200),
        ["/Evidence/Snapshot/{id:long}"] = (Who.Coordinator, s => $"/Evidence/Snapshot/{s.SnapshotId}", 200),
        ["/Evidence/Factor/{roundId:long}"] = (Who.Coordinator, s => $"/Evidence/Factor/{s.RoundId}?factor={Uri.EscapeDataString(s.FactorKey)}", 200),
        ["/Admin/Tokens"] = (Who.Administrator, _ => "/Admin/Tokens", 200),
    };

    private const string TwoFactorEmail = "respondent3@demo.local";

    [Fact]
    public void Every_page_has_an_accessibility_check()
    {
        var pages = DiscoverPages();
        var known = CheckedByPagesTest.Concat(CheckedByLiveTest).Concat(CheckedHere.Keys).ToList();
        var missing = pages.Except(known, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "Pages without an axe-core check (add them to " + nameof(PageAccessibilityCoverageTests) + "):\n" + string.Join("\n", missing));
        var stale = known.Except(pages, StringComparer.Ordinal).ToList();
        Assert.True(stale.Count == 0, "Checks listed for pages that do not exist:\n" + string.Join("\n", stale));
        Assert.Equal(known.Count, known.Distinct(StringComparer.Ordinal).Count());
        // The list above names what AccessibilityTests really opens.
        var opened = AccessibilityTests.PagesByPerson.SelectMany(p => p.Paths).Where(p => p != "/join").ToHashSet(StringComparer.Ordinal);
        Assert.Equal(CheckedByPagesTest.Order(StringComparer.Ordinal), opened.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("sq")]
    public async Task Remaining_pages_have_no_serious_or_critical_violations(string culture)
    {
        var state = await StateAsync();
        await using var test = browser.Start(app, culture);
        var report = new StringBuilder();

        await test.RunAsync(async () =>
        {
            foreach (var group in CheckedHere.GroupBy(p => p.Value.Who))
            {
                var page = await test.NewPersonAsync(group.Key.ToString());
                await SignInAsync(page, group.Key);
                await AccessibilityTests.SwitchCultureAsync(page, culture);
                if (group.Key == Who.TwoFactor) await StartTwoFactorSignInAsync(page);
                foreach (var (pattern, (_, url, status)) in group)
                {
                    var path = url(state);
                    var response = await page.GotoAsync(path);
                    Assert.True(response?.Status == status, $"{pattern}: {path} answered {response?.Status}, expected {status}");
                    Assert.Equal(culture, await page.EvaluateAsync<string>("document.documentElement.lang"));
                    await AxeCheck.AppendSeriousViolationsAsync(page, report, $"{culture} {group.Key} {path}");
                }
            }
            Assert.True(report.Length == 0, "Accessibility violations:\n" + report);

            // Visible focus: fields and buttons get the portal's ring (3 px, at least 3:1 on white), not Bootstrap's faint shadow.
            var anonymous = await test.NewPersonAsync("keyboard");
            await anonymous.GotoAsync("/Account/Login");
            await anonymous.Locator("#Input_Email").FocusAsync();
            for (var stop = 0; stop < 4; stop++)
            {
                var ring = await anonymous.EvaluateAsync<string>("""
                    (() => { const s = getComputedStyle(document.activeElement);
                             return document.activeElement.tagName + " " + s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor; })()
                    """);
                Assert.EndsWith("solid 3px rgb(179, 71, 0)", ring, StringComparison.Ordinal);
                await anonymous.Keyboard.PressAsync("Tab");
            }
        });
    }

    private static async Task SignInAsync(IPage page, Who who)
    {
        var email = who switch
        {
            Who.Respondent => "respondent@demo.local",
            Who.Coordinator => "coordinator@demo.local",
            Who.Administrator => "admin@demo.local",
            _ => null,
        };
        if (email is not null) await (await LoginPage.OpenAsync(page)).SignInAsync(email);
    }

    /// <summary>Password accepted, second factor pending: the two-factor pages render only in this state.</summary>
    private static async Task StartTwoFactorSignInAsync(IPage page)
    {
        await page.GotoAsync("/Account/Login");
        await page.Locator("#Input_Email").FillAsync(TwoFactorEmail);
        await page.Locator("#Input_Password").FillAsync(DemoData.Password);
        await page.Locator("main form button[type=submit]").First.ClickAsync();
        // The page's DOM is what the check reads; waiting for the full "load" event timed out once in a clean-clone
        // run with the page already rendered.
        await page.WaitForURLAsync(new Regex("/Account/LoginWith2fa"), new() { WaitUntil = WaitUntilState.DOMContentLoaded });
        await page.Locator("main form").First.WaitForAsync();
    }

    // xunit makes a new instance per test: the state lives as long as the class's portal.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BrowserPortalFactory, State> States = [];

    /// <summary>The demo round's ids, a snapshot, a PESTLE factor with scores, a fresh invitation and a user with two-factor sign-in.</summary>
    private async Task<State> StateAsync()
    {
        if (States.TryGetValue(app, out var known)) return known;
        var db = app.Services.GetRequiredService<Db>();
        await using var conn = await db.OpenAsync();
        var roundId = await conn.ExecuteScalarAsync<long>("SELECT id FROM rounds WHERE title = @Title", new { Title = DemoData.DemoRoundTitle });
        var questionnaireId = await conn.ExecuteScalarAsync<long>("SELECT id FROM questionnaires WHERE round_id = @roundId ORDER BY id LIMIT 1", new { roundId });
        var responseId = await conn.ExecuteScalarAsync<long>("""
            SELECT r.id FROM responses r JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
             WHERE v.questionnaire_id = @questionnaireId ORDER BY r.id LIMIT 1
            """, new { questionnaireId });
        var organisationId = await conn.ExecuteScalarAsync<long>("SELECT id FROM organisations ORDER BY id LIMIT 1");
        var factorKey = await PestleFactorAsync(conn, roundId);

        using var client = await SignedInClientAsync("coordinator@demo.local");
        var freeze = await Forms.PostAsync(client, $"/Evidence/{roundId}", new Dictionary<string, string> { ["Freeze.Label"] = "Accessibility" },
            $"/Evidence/{roundId}?handler=Freeze");
        Assert.Equal(HttpStatusCode.Redirect, freeze.StatusCode);
        var snapshotId = long.Parse(freeze.Headers.Location!.OriginalString.Split('/')[^1].Split('?')[0], System.Globalization.CultureInfo.InvariantCulture);

        var invitee = $"axe-{Guid.NewGuid():N}@example.org";
        var mailsBefore = app.Smtp.CountTo(invitee);
        var invite = await Forms.PostAsync(client, $"/Organisations/Details/{organisationId}",
            new Dictionary<string, string> { ["Invite.Email"] = invitee, ["Invite.Role"] = "Respondent", ["Invite.Culture"] = "en" },
            $"/Organisations/Details/{organisationId}?handler=Invite");
        Assert.Equal(HttpStatusCode.Redirect, invite.StatusCode);
        var mail = await app.Smtp.WaitForMessageAsync(invitee, afterCount: mailsBefore);
        var link = InvitationLink().Match(mail.TextBody ?? "");
        Assert.True(link.Success, "No invitation link in: " + mail.TextBody);

        await EnableTwoFactorAsync();
        var state = new State(roundId, questionnaireId, responseId, organisationId, snapshotId, factorKey, new Uri(link.Value).PathAndQuery);
        States.AddOrUpdate(app, state);
        return state;
    }

    /// <summary>A PESTLE exercise in the round with one factor scored by two participants (what the drill-down shows).</summary>
    private static async Task<string> PestleFactorAsync(System.Data.Common.DbConnection conn, long roundId)
    {
        var now = DateTimeOffset.UtcNow;
        var facilitator = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = 'facilitator@demo.local'");
        var workshopId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO workshops (round_id, title, scheduled_on, join_code, status, facilitator_user_id, created_at, updated_at)
            VALUES (@roundId, 'Accessibility PESTLE', '2026-11-01', @code, 'Live', @facilitator, @now, @now) RETURNING id
            """, new { roundId, code = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant(), facilitator, now });
        var exerciseId = await conn.ExecuteScalarAsync<long>(
            "INSERT INTO exercises (workshop_id, position, type, state, updated_at) VALUES (@workshopId, 1, 'PESTLE', 'Open', @now) RETURNING id", new { workshopId, now });
        var factor = await conn.ExecuteScalarAsync<long>(
            "INSERT INTO pestle_factors (exercise_id, dimension, text, created_at, updated_at) VALUES (@exerciseId, 'ECONOMIC', 'Cash economy', @now, @now) RETURNING id",
            new { exerciseId, now });
        foreach (var (category, value, value2) in new[] { ("NGO", 4, 5), ("ACADEMIC", 3, 2) })
        {
            var participant = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO participants (workshop_id, token_hash, display_name, category, joined_at, last_seen)
                VALUES (@workshopId, @hash, 'Participant', @category, @now, @now) RETURNING id
                """, new { workshopId, hash = Guid.NewGuid().ToString("N"), category, now });
            await conn.ExecuteAsync(
                "INSERT INTO scores (exercise_id, participant_id, item_key, value, value2, updated_at) VALUES (@exerciseId, @participant, @key, @value, @value2, @now)",
                new { exerciseId, participant, key = $"factor:{factor}", value, value2, now });
        }
        return $"factor:{factor}";
    }

    private async Task EnableTwoFactorAsync()
    {
        using var client = await SignedInClientAsync(TwoFactorEmail);
        var page = await client.GetStringAsync("/Account/Manage/TwoFactor");
        var key = SharedKey().Match(page).Groups[1].Value;
        var enable = await client.PostAsync("/Account/Manage/TwoFactor?handler=Enable", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Code"] = Totp.Code(key), ["__RequestVerificationToken"] = Forms.Token(page),
        }));
        Assert.Contains("data-testid=\"recovery-codes\"", await enable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpClient> SignedInClientAsync(string email)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = app.BaseUrl,
        };
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(client, email)).StatusCode);
        return client;
    }

    /// <summary>Route patterns of the pages (GET), folder Index pages under their folder's path.</summary>
    private List<string> DiscoverPages()
    {
        var pages = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is null) continue;
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (pattern.EndsWith("/Index", StringComparison.Ordinal)) pattern = pattern[..^"/Index".Length] is { Length: > 0 } p ? p : "/";
            pages.Add(pattern.Replace("/Index/", "/", StringComparison.Ordinal));
        }
        return [.. pages.Order(StringComparer.Ordinal)];
    }

    [GeneratedRegex(@"https?://\S+/Account/AcceptInvitation\?\S+")]
    private static partial Regex InvitationLink();

    [GeneratedRegex("""data-testid="shared-key">([a-z0-9 ]+)<""")]
    private static partial Regex SharedKey();
}
