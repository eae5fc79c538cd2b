using System.Net;
using static Consultation.Web.Tests.Api.ApiTestKit;

namespace Consultation.Web.Tests.Api;

/// <summary>POST /api/v1/organisations and /api/v1/rounds: created when valid, 422 with an error per bad field otherwise.</summary>
public sealed class OrganisationsAndRoundsApiTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private async Task<HttpClient> WriterAsync() => Client(app, await TokenAsync(app, "rounds:write"));

    [Fact]
    public async Task An_organisation_is_created_and_a_duplicate_name_in_any_case_is_409()
    {
        var client = await WriterAsync();
        var created = await client.PostJsonAsync("/api/v1/organisations", """{ "name": "  Atina  ", "category": "NGO", "country": "rs" }""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await BodyAsync(created);
        Assert.Equal("Atina", body.GetProperty("name").GetString());
        Assert.Equal("RS", body.GetProperty("country").GetString());
        Assert.Equal($"/api/v1/organisations/{body.GetProperty("id").GetInt64()}", created.Headers.Location!.OriginalString);
        Assert.Equal(1, await ScalarAsync(app, "SELECT COUNT(*) FROM audit_log WHERE action = 'organisation.created' AND details LIKE 'Atina%API'"));

        var duplicate = await client.PostJsonAsync("/api/v1/organisations", """{ "name": "ATINA", "category": "NGO" }""");
        var problem = await ProblemAsync(duplicate, HttpStatusCode.Conflict);
        Assert.Equal(["name"], ErrorFields(problem));
    }

    [Fact]
    public async Task Organisation_fields_are_checked_one_by_one()
    {
        var client = await WriterAsync();
        var problem = await ProblemAsync(await client.PostJsonAsync("/api/v1/organisations",
            """{ "category": "CHARITY", "country": "SRB", "email": "x@y.z" }"""), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["category", "country", "email", "name"], ErrorFields(problem));
        Assert.Contains("MINISTRY", problem.GetProperty("errors").GetProperty("category")[0].GetString(), StringComparison.Ordinal);

        await ProblemAsync(await client.PostJsonAsync("/api/v1/organisations", """{ "name": "Broken", """), HttpStatusCode.BadRequest);
        await ProblemAsync(await client.PostAsync("/api/v1/organisations", new StringContent("name=x")), HttpStatusCode.UnsupportedMediaType);
        await ProblemAsync(await client.PostJsonAsync("/api/v1/organisations", "[1, 2]"), HttpStatusCode.UnprocessableEntity);
        var latin1 = new ByteArrayContent([.. "{ \"name\": \""u8.ToArray(), 0xE9, .. "\", \"category\": \"NGO\" }"u8.ToArray()]);
        latin1.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await ProblemAsync(await client.PostAsync("/api/v1/organisations", latin1), HttpStatusCode.BadRequest);
        var surrogate = await client.PostJsonAsync("/api/v1/organisations", """{ "name": "Lone \ud800 surrogate", "category": "NGO" }""");
        Assert.True(surrogate.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Created, surrogate.StatusCode.ToString());
    }

    [Theory]
    [InlineData("/api/v1/organisations", "name", """{ "name": "Line\nbreak", "category": "NGO" }""")]
    [InlineData("/api/v1/organisations", "name", """{ "name": "Nul\u0000byte", "category": "NGO" }""")]
    [InlineData("/api/v1/organisations", "name", """{ "name": "C1\u0085control", "category": "NGO" }""")]
    [InlineData("/api/v1/rounds", "title", """{ "title": "Tab\tbed", "crimeAreas": ["DRUGS"] }""")]
    [InlineData("/api/v1/rounds", "title", """{ "title": "Delete\u007f", "crimeAreas": ["DRUGS"] }""")]
    [InlineData("/api/v1/rounds", "description", """{ "title": "Bell in the description", "description": "Ring\u0007", "crimeAreas": ["DRUGS"] }""")]
    public async Task Control_characters_in_single_line_texts_are_a_field_error(string url, string field, string body)
    {
        var client = await WriterAsync();
        var problem = await ProblemAsync(await client.PostJsonAsync(url, body), HttpStatusCode.UnprocessableEntity);
        Assert.Equal([field], ErrorFields(problem));
    }

    [Fact]
    public async Task A_round_description_keeps_its_line_breaks_and_tabs()
    {
        var client = await WriterAsync();
        var created = await client.PostJsonAsync("/api/v1/rounds",
            """{ "title": "Multi-line description", "description": "First line\n\tSecond line", "crimeAreas": ["DRUGS"] }""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task A_json_body_that_starts_with_a_byte_order_mark_is_read()
    {
        var client = await WriterAsync();
        // What Notepad and PowerShell's Out-File -Encoding utf8 write.
        var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. """{ "name": "Byte Order Mark Society", "category": "NGO" }"""u8.ToArray()]);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var created = await client.PostAsync("/api/v1/organisations", content);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("Byte Order Mark Society", (await BodyAsync(created)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_round_is_created_as_draft_with_its_settings_and_invited_organisations()
    {
        var client = await WriterAsync();
        var created = await client.PostJsonAsync("/api/v1/rounds", """
            {
              "title": "SOCTA 2027 — API round",
              "crimeAreas": ["DRUGS", "THB", "CYBER"],
              "categoryWeights": { "AGENCY": 1.5, "ACADEMIC": 0.8 },
              "indicatorWeights": { "DAMAGE": 2 },
              "minOrganisations": 3,
              "defaultGrading": "B2",
              "opensAt": "2027-01-10T09:00:00+01:00",
              "closesAt": "2027-02-10T17:00:00+01:00",
              "organisations": ["ASTRA", "Group 484"]
            }
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        var round = await BodyAsync(await client.GetAsync(location));
        Assert.Equal("Draft", round.GetProperty("status").GetString());
        Assert.Equal(["DRUGS", "THB", "CYBER"], round.GetProperty("crimeAreas").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(1.5, round.GetProperty("categoryWeights").GetProperty("AGENCY").GetDouble());
        Assert.Equal(1.0, round.GetProperty("categoryWeights").GetProperty("NGO").GetDouble());
        Assert.Equal(2.0, round.GetProperty("indicatorWeights").GetProperty("DAMAGE").GetDouble());
        Assert.Equal("B2", round.GetProperty("defaultGrading").GetString());
        Assert.Equal(DateTimeOffset.Parse("2027-01-10T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture), round.GetProperty("opensAt").GetDateTimeOffset());
        Assert.Equal(["ASTRA", "Group 484"], round.GetProperty("organisations").EnumerateArray().Select(o => o.GetProperty("name").GetString()));

        // The coordinator's page shows the same round.
        var coordinator = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(coordinator, "coordinator@demo.local");
        var page = await coordinator.GetAsync($"/Rounds/Details/{round.GetProperty("id").GetInt64()}");
        Assert.Contains("SOCTA 2027 — API round", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Round_fields_are_checked_and_each_bad_one_is_named()
    {
        var client = await WriterAsync();
        var before = await ScalarAsync(app, "SELECT COUNT(*) FROM rounds");
        var problem = await ProblemAsync(await client.PostJsonAsync("/api/v1/rounds", """
            {
              "title": "",
              "crimeAreas": ["DRUGS", "ALCHEMY"],
              "categoryWeights": { "NGO": 0, "AGENCY": -1, "CHURCH": 1 },
              "indicatorWeights": { "DAMAGE": "two" },
              "minOrganisations": 0,
              "defaultGrading": "2B",
              "opensAt": "2027-02-01T09:00:00Z",
              "closesAt": "2027-01-01T09:00:00",
              "organisations": ["Nobody"],
              "colour": "red"
            }
            """), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(
            ["categoryWeights.AGENCY", "categoryWeights.CHURCH", "categoryWeights.NGO", "closesAt", "colour", "crimeAreas[1]", "defaultGrading",
             "indicatorWeights.DAMAGE", "minOrganisations", "organisations[0]", "title"],
            ErrorFields(problem));
        Assert.Equal(before, await ScalarAsync(app, "SELECT COUNT(*) FROM rounds"));

        var farFuture = await ProblemAsync(await client.PostJsonAsync("/api/v1/rounds",
            """{ "title": "Far", "crimeAreas": ["DRUGS"], "opensAt": "9999-12-31T23:59:59Z" }"""), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["opensAt"], ErrorFields(farFuture));

        var noAreas = await ProblemAsync(await client.PostJsonAsync("/api/v1/rounds", """{ "title": "No areas", "crimeAreas": [] }"""),
            HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["crimeAreas"], ErrorFields(noAreas));
    }

    [Theory]
    [InlineData("closesAt", "2099-12-31T23:00:00-05:00")] // 2100-01-01T04:00Z
    [InlineData("opensAt", "2000-01-01T00:30:00+01:00")] // 1999-12-31T23:30Z
    public async Task The_year_limit_is_checked_in_utc_as_the_time_is_stored(string field, string time)
    {
        var client = await WriterAsync();
        var before = await ScalarAsync(app, "SELECT COUNT(*) FROM rounds");
        var body = field == "closesAt"
            ? $$"""{ "title": "Edge of the century", "crimeAreas": ["DRUGS"], "opensAt": "2099-12-01T09:00:00Z", "closesAt": "{{time}}" }"""
            : $$"""{ "title": "Edge of the century", "crimeAreas": ["DRUGS"], "opensAt": "{{time}}" }""";
        var problem = await ProblemAsync(await client.PostJsonAsync("/api/v1/rounds", body), HttpStatusCode.UnprocessableEntity);
        Assert.Equal([field], ErrorFields(problem));
        Assert.Contains("2099", problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await ScalarAsync(app, "SELECT COUNT(*) FROM rounds"));
    }

    [Theory]
    [InlineData("opensAt", "\"03/01/2027 09:00 +01:00\"")]
    [InlineData("opensAt", "\"2027-03-01 09:00:00+01:00\"")]
    [InlineData("opensAt", "\"1 March 2027 09:00 +01:00\"")]
    [InlineData("opensAt", "\"2027-03-01T09:00:00\"")]
    [InlineData("timeZone", "\"Central European Standard Time\"")]
    [InlineData("timeZone", "\"Nowhere/Atlantis\"")]
    public async Task Round_times_are_iso_8601_only_and_time_zones_iana_names_only(string field, string value)
    {
        var client = await WriterAsync();
        var before = await ScalarAsync(app, "SELECT COUNT(*) FROM rounds");
        var problem = await ProblemAsync(await client.PostJsonAsync("/api/v1/rounds",
            $$"""{ "title": "Formats", "crimeAreas": ["DRUGS"], "{{field}}": {{value}} }"""), HttpStatusCode.UnprocessableEntity);
        Assert.Equal([field], ErrorFields(problem));
        Assert.Equal(before, await ScalarAsync(app, "SELECT COUNT(*) FROM rounds"));
    }

    [Fact]
    public async Task Iso_8601_times_with_z_an_offset_minutes_or_fractions_are_taken()
    {
        var client = await WriterAsync();
        var created = await client.PostJsonAsync("/api/v1/rounds", """
            { "title": "ISO forms", "crimeAreas": ["DRUGS"], "timeZone": "America/New_York",
              "opensAt": "2027-03-01T09:00+01:00", "closesAt": "2027-03-31T17:00:00.5Z" }
            """);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var round = await BodyAsync(created);
        Assert.Equal(new DateTimeOffset(2027, 3, 1, 8, 0, 0, TimeSpan.Zero), round.GetProperty("opensAt").GetDateTimeOffset());
        Assert.Equal("America/New_York", round.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task The_default_closing_time_obeys_the_same_year_limit_as_a_given_one()
    {
        var client = await WriterAsync();
        var before = await ScalarAsync(app, "SELECT COUNT(*) FROM rounds");
        // Opening in December 2099, the default (30 days later) would close in 2100, which a given closesAt may not.
        var late = await ProblemAsync(await client.PostJsonAsync("/api/v1/rounds",
            """{ "title": "Late", "crimeAreas": ["DRUGS"], "opensAt": "2099-12-15T09:00:00Z" }"""), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["closesAt"], ErrorFields(late));
        Assert.Contains("2099", late.GetProperty("errors").GetProperty("closesAt")[0].GetString(), StringComparison.Ordinal);
        var given = await ProblemAsync(await client.PostJsonAsync("/api/v1/rounds",
            """{ "title": "Late", "crimeAreas": ["DRUGS"], "opensAt": "2099-12-15T09:00:00Z", "closesAt": "2100-01-14T09:00:00Z" }"""), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["closesAt"], ErrorFields(given));
        Assert.Equal(before, await ScalarAsync(app, "SELECT COUNT(*) FROM rounds"));

        // A closing time given within the limit, or a default that stays within it, is accepted.
        var explicitClose = await client.PostJsonAsync("/api/v1/rounds",
            """{ "title": "Late, closing on New Year's Eve", "crimeAreas": ["DRUGS"], "opensAt": "2099-12-15T09:00:00Z", "closesAt": "2099-12-31T17:00:00Z" }""");
        Assert.Equal(HttpStatusCode.Created, explicitClose.StatusCode);
        var defaulted = await client.PostJsonAsync("/api/v1/rounds",
            """{ "title": "Late enough", "crimeAreas": ["DRUGS"], "opensAt": "2099-11-01T09:00:00Z" }""");
        Assert.Equal(HttpStatusCode.Created, defaulted.StatusCode);
        Assert.Equal(DateTimeOffset.Parse("2099-12-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            (await BodyAsync(defaulted)).GetProperty("closesAt").GetDateTimeOffset());
    }
}
