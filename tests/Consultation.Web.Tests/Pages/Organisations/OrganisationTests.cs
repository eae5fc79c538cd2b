using System.Net;
using Dapper;

namespace Consultation.Web.Tests.Pages.Organisations;

public sealed class OrganisationTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private System.Data.Common.DbConnection Sql() => app.Connection();

    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, email);
        return client;
    }

    [Fact]
    public async Task The_list_filters_by_name_category_and_country_taking_wildcards_literally()
    {
        var client = await SignedInAsync("coordinator@demo.local");
        await using (var conn = Sql())
            await conn.ExecuteAsync("""
                INSERT INTO organisations (name, category, country, created_at, updated_at)
                VALUES ('Centar_100% Skopje', 'NGO', 'MK', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z')
                """);

        static int Rows(string html) => System.Text.RegularExpressions.Regex.Count(html, "<td><a href=\"/Organisations/Details/");

        Assert.Equal(1, Rows(await client.GetStringAsync("/Organisations?q=astra")));
        Assert.Equal(1, Rows(await client.GetStringAsync("/Organisations?q=" + Uri.EscapeDataString("r_1"))));
        Assert.Equal(0, Rows(await client.GetStringAsync("/Organisations?q=" + Uri.EscapeDataString("a_t"))));
        Assert.Equal(1, Rows(await client.GetStringAsync("/Organisations?q=" + Uri.EscapeDataString("100%"))));
        Assert.Equal(1, Rows(await client.GetStringAsync("/Organisations?country=MK")));
        var agencies = await client.GetStringAsync("/Organisations?category=AGENCY");
        Assert.Equal(2, Rows(agencies));
        Assert.Contains("Customs Administration", agencies, StringComparison.Ordinal);
        var none = await client.GetStringAsync("/Organisations?q=nothing-like-this");
        Assert.Contains("No organisation matches these filters.", none, StringComparison.Ordinal);
        // Unknown values are no filter.
        Assert.True(Rows(await client.GetStringAsync("/Organisations?category=ZZ&country=ZZ")) >= 8);
    }

    [Fact]
    public async Task Coordinator_creates_and_edits_an_organisation_and_both_are_audited()
    {
        var client = await SignedInAsync("coordinator@demo.local");

        var created = await Forms.PostAsync(client, "/Organisations/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "Atina", ["Input.Category"] = "NGO", ["Input.Country"] = "rs", ["Input.ContactEmail"] = "office@atina.example",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var details = created.Headers.Location!.OriginalString;
        var id = long.Parse(details.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("Organisation created.", await client.GetStringAsync(details), StringComparison.Ordinal);

        var edited = await Forms.PostAsync(client, $"/Organisations/Edit/{id}", new Dictionary<string, string>
        {
            ["Input.Name"] = "Atina NGO", ["Input.Category"] = "NGO", ["Input.Country"] = "RS", ["Input.ContactEmail"] = "office@atina.example",
        });
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);

        await using var conn = Sql();
        var row = await conn.QuerySingleAsync<(string Name, string Country)>("SELECT name, country FROM organisations WHERE id = @id", new { id });
        Assert.Equal(("Atina NGO", "RS"), row);
        var actions = (await conn.QueryAsync<string>("SELECT action FROM audit_log WHERE target = @t ORDER BY id", new { t = $"organisation:{id}" })).ToList();
        Assert.Equal(["organisation.created", "organisation.updated"], actions);
    }

    [Fact]
    public async Task A_name_with_a_control_character_is_a_field_error()
    {
        var client = await SignedInAsync("coordinator@demo.local");

        var response = await Forms.PostAsync(client, "/Organisations/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "Two\nlines", ["Input.Category"] = "NGO",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The name must be a single line without control characters.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var conn = Sql();
        Assert.Equal(0, await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organisations WHERE name LIKE 'Two%lines'"));
    }

    [Fact]
    public async Task Invalid_input_keeps_what_was_typed_and_names_the_fields()
    {
        var client = await SignedInAsync("coordinator@demo.local");

        var response = await Forms.PostAsync(client, "/Organisations/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "", ["Input.Category"] = "PIRATES", ["Input.Country"] = "Serbia", ["Input.ContactEmail"] = "keep-me",
        });

        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Enter the organisation&#x27;s name.", html, StringComparison.Ordinal);
        Assert.Contains("Use the two-letter country code", html, StringComparison.Ordinal);
        Assert.Contains("Enter a valid email address.", html, StringComparison.Ordinal);
        Assert.Contains("value=\"keep-me\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Serbia\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_name_is_a_field_error_not_a_500()
    {
        var client = await SignedInAsync("coordinator@demo.local");

        var response = await Forms.PostAsync(client, "/Organisations/Create", new Dictionary<string, string>
        {
            ["Input.Name"] = "astra", ["Input.Category"] = "NGO",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("An organisation with this name already exists.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Details_lists_members_with_their_roles()
    {
        var client = await SignedInAsync("admin@demo.local");
        await using var conn = Sql();
        var id = await conn.ExecuteScalarAsync<long>("SELECT id FROM organisations WHERE name = 'ASTRA'");

        var html = await client.GetStringAsync($"/Organisations/Details/{id}");

        Assert.Contains("Demo Respondent (ASTRA)", html, StringComparison.Ordinal);
        Assert.Contains("respondent@demo.local", html, StringComparison.Ordinal);
        Assert.DoesNotContain("respondent2@demo.local", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_organisation_is_404()
    {
        var client = await SignedInAsync("coordinator@demo.local");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Organisations/Details/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/Organisations/Edit/999999")).StatusCode);
    }

    [Fact]
    public async Task Facilitator_cannot_manage_organisations()
    {
        var client = await SignedInAsync("facilitator@demo.local");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/Organisations/Create")).StatusCode);
    }
}
