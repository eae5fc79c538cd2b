using System.Net;
using Dapper;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>Its own app: it changes a demo respondent's language.</summary>
public sealed class QuestionnaireTitleLanguageTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task A_template_questionnaire_is_listed_and_headed_in_the_respondents_language()
    {
        _ = app.Server;
        await using (var conn = app.Connection())
            await conn.ExecuteAsync("UPDATE users SET culture = 'sq' WHERE email = 'respondent2@demo.local'");
        var client = app.CreateBrowserLikeClient();
        await Forms.LoginAsync(client, "respondent2@demo.local");

        var list = WebUtility.HtmlDecode(await client.GetStringAsync("/Respond"));
        Assert.Contains("Vlerësimi sipas pesë treguesve", list, StringComparison.Ordinal);
        Assert.DoesNotContain(">Five-indicator assessment<", list, StringComparison.Ordinal);

        await using var db = app.Connection();
        var id = await db.ExecuteScalarAsync<long>("SELECT id FROM questionnaires WHERE title = 'Five-indicator assessment' ORDER BY id LIMIT 1");
        var form = WebUtility.HtmlDecode(await client.GetStringAsync($"/Respond/Form/{id}"));
        Assert.Contains("<h1>Vlerësimi sipas pesë treguesve</h1>", form, StringComparison.Ordinal);
    }
}
