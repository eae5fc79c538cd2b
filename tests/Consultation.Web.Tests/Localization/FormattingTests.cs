using System.Net;
using Consultation.Web.Tests.Pages.Rounds;
using Dapper;

namespace Consultation.Web.Tests.Localization;

/// <summary>Dates in the UI follow the reader's language and the round's or the user's zone; exports stay invariant.</summary>
public sealed class FormattingTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private System.Data.Common.DbConnection Sql() => app.Connection();

    private static Task<HttpResponseMessage> SwitchAsync(HttpClient client, string culture) =>
        Forms.PostAsync(client, "/", new Dictionary<string, string> { ["culture"] = culture, ["returnUrl"] = "/" }, "/culture");

    [Fact]
    public async Task Round_dates_are_shown_in_the_rounds_zone_with_the_readers_patterns()
    {
        var client = await RoundSteps.CoordinatorAsync(app);
        await RoundSteps.CreateRoundAsync(client, "Dates per culture");

        Assert.Contains("2030-01-10 09:00 – 2030-02-10 17:00", await client.GetStringAsync("/Rounds"), StringComparison.Ordinal);
        await SwitchAsync(client, "sr-Latn");
        Assert.Contains("10.01.2030. 09:00 – 10.02.2030. 17:00", await client.GetStringAsync("/Rounds"), StringComparison.Ordinal);
        await SwitchAsync(client, "mk");
        Assert.Contains("10.01.2030 09:00 – 10.02.2030 17:00", await client.GetStringAsync("/Rounds"), StringComparison.Ordinal);
        await SwitchAsync(client, "en");
    }

    [Fact]
    public async Task Workshop_dates_are_shown_with_the_readers_patterns()
    {
        var client = await RoundSteps.CoordinatorAsync(app);
        long id;
        await using (var conn = Sql())
            id = await conn.ExecuteScalarAsync<long>("""
                INSERT INTO workshops (round_id, title, scheduled_on, join_code, status, facilitator_user_id, created_at, updated_at)
                VALUES ((SELECT MIN(id) FROM rounds), 'Dates per culture workshop', '2030-03-05', 'DATE42', 'Scheduled',
                        (SELECT id FROM users WHERE email = 'coordinator@demo.local'), '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
                RETURNING id
                """);

        Assert.Contains("2030-03-05", await client.GetStringAsync("/Workshops"), StringComparison.Ordinal);
        await SwitchAsync(client, "sr-Latn");
        Assert.Contains("05.03.2030.", await client.GetStringAsync("/Workshops"), StringComparison.Ordinal);
        Assert.Contains("05.03.2030.", await client.GetStringAsync($"/Workshops/Control/{id}"), StringComparison.Ordinal);
        await SwitchAsync(client, "sq");
        var albanian = await client.GetStringAsync($"/Workshops/Control/{id}");
        Assert.Contains("05.03.2030", albanian, StringComparison.Ordinal);
        Assert.DoesNotContain("2030-03-05", albanian, StringComparison.Ordinal);
        await SwitchAsync(client, "en");
    }

    [Fact]
    public async Task A_new_round_starts_in_the_zone_of_the_coordinators_organisation()
    {
        await using (var conn = Sql())
        {
            await conn.ExecuteAsync("INSERT INTO organisations (name, category, country, created_at, updated_at) VALUES ('Uprava policije', 'AGENCY', 'ME', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z')");
            await conn.ExecuteAsync("UPDATE users SET organisation_id = (SELECT id FROM organisations WHERE name = 'Uprava policije') WHERE email = 'admin@demo.local'");
        }
        var montenegrin = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(montenegrin, "admin@demo.local");
        var belgrade = await RoundSteps.CoordinatorAsync(app);

        Assert.Contains("<option value=\"Europe/Podgorica\" selected=\"selected\">", await montenegrin.GetStringAsync("/Rounds/Create"), StringComparison.Ordinal);
        Assert.Contains("<option value=\"Europe/Belgrade\" selected=\"selected\">", await belgrade.GetStringAsync("/Rounds/Create"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_chooses_their_zone_in_the_profile_and_an_unknown_zone_is_a_field_error()
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, "facilitator@demo.local");

        var bad = await Forms.PostAsync(client, "/Account/Manage", new Dictionary<string, string> { ["Input.DisplayName"] = "Demo Facilitator", ["Input.TimeZone"] = "Mars/Olympus" });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains("Unknown time zone.", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var good = await Forms.PostAsync(client, "/Account/Manage", new Dictionary<string, string> { ["Input.DisplayName"] = "Demo Facilitator", ["Input.TimeZone"] = "Europe/Tirane" });
        Assert.Equal(HttpStatusCode.Redirect, good.StatusCode);
        Assert.Contains("<option value=\"Europe/Tirane\" selected=\"selected\">", await client.GetStringAsync("/Account/Manage"), StringComparison.Ordinal);
        await using var conn = Sql();
        Assert.Equal("Europe/Tirane", await conn.ExecuteScalarAsync<string>("SELECT time_zone FROM users WHERE email = 'facilitator@demo.local'"));
    }
}
