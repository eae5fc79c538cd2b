using System.Net;
using System.Text.Json;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Rounds;

/// <summary>
/// A template questionnaire keeps the title it was created with (one language), but its definition has the title in
/// every language: coordinators read it in theirs, as respondents do (SurveyTitle).
/// </summary>
public sealed class QuestionnaireTitleTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Round_page_and_responses_show_a_template_questionnaires_title_in_the_readers_language()
    {
        var client = await CoordinatorAsync(app);
        var astra = await OrganisationIdAsync(app, "ASTRA");
        var roundId = await CreateRoundAsync(client, "Titles in Macedonian", [astra]);
        var questionnaires = new[] { await CreateQuestionnaireAsync(client, roundId), await CreateQuestionnaireAsync(client, roundId, "SOCIAL_TOLERANCE") };
        var titles = new List<(string English, string Macedonian)>();
        foreach (var q in questionnaires)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await SaveQuestionnaireAsync(app, client, q, publish: true)).StatusCode);
            using var schema = JsonDocument.Parse((await LatestVersionAsync(app, q)).SchemaJson);
            var title = schema.RootElement.GetProperty("title");
            titles.Add((title.GetProperty("default").GetString()!, title.GetProperty("mk").GetString()!));
        }

        foreach (var path in new[] { $"/Rounds/Details/{roundId}?culture=mk", $"/Rounds/{roundId}/Responses?culture=mk" })
        {
            var page = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
            Assert.Contains("lang=\"mk\"", html, StringComparison.Ordinal);
            foreach (var (english, macedonian) in titles)
            {
                Assert.NotEqual(english, macedonian);
                Assert.Contains(macedonian, html, StringComparison.Ordinal);
                Assert.DoesNotContain(english, html, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_response_page_names_its_template_questionnaire_in_the_readers_language()
    {
        var client = await CoordinatorAsync(app);
        long responseId;
        string english, macedonian;
        await using (var conn = app.Connection())
        {
            var row = await Dapper.SqlMapper.QueryFirstAsync<(long Id, string SchemaJson)>(conn, """
                SELECT r.id, v.schema_json FROM responses r JOIN questionnaire_versions v ON v.id = r.questionnaire_version_id
                 WHERE v.schema_json LIKE '%"mk"%' ORDER BY r.id LIMIT 1
                """);
            responseId = row.Id;
            using var schema = JsonDocument.Parse(row.SchemaJson);
            english = schema.RootElement.GetProperty("title").GetProperty("default").GetString()!;
            macedonian = schema.RootElement.GetProperty("title").GetProperty("mk").GetString()!;
        }

        var page = await client.GetAsync($"/Rounds/Responses/{responseId}?culture=mk");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains(macedonian + ", ", html, StringComparison.Ordinal);
        Assert.DoesNotContain(english + ", ", html, StringComparison.Ordinal);
    }
}
