using System.Net;
using static Consultation.Web.Tests.Pages.Respond.RespondSteps;

namespace Consultation.Web.Tests.Pages.Respond;

/// <summary>An organisation's members never see another organisation's questionnaires or answers.</summary>
public sealed class IsolationTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private const string AstraSecret = "ASTRA's confidential observation";

    [Fact]
    public async Task Member_of_another_organisation_gets_404_for_a_round_only_astra_was_invited_to()
    {
        var (_, q) = await OpenRoundAsync(app, "ASTRA only", SmallSchema, "ASTRA");
        var astra = await SignInAsync(app, "respondent@demo.local");
        var astraForm = await OpenFormAsync(astra, q);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(astra, q, astraForm.Token, $$"""{ "score": 2, "note": "{{AstraSecret}}" }""", 0, 0)).StatusCode);

        var group484 = await SignInAsync(app, "respondent2@demo.local");
        var list = await group484.GetStringAsync("/Respond");
        Assert.DoesNotContain("ASTRA only", list, StringComparison.Ordinal);
        Assert.DoesNotContain($"/Respond/Form/{q}", list, StringComparison.Ordinal);

        var get = await group484.GetAsync($"/Respond/Form/{q}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        // A valid token from a page this person may open, replayed against the foreign questionnaire.
        var demo = await OpenFormAsync(group484, await DemoQuestionnaireIdAsync());
        var save = await SaveAsync(group484, q, demo.Token, """{ "score": 5 }""", 0, 1);
        var submit = await SubmitAsync(group484, q, demo.Token, """{ "score": 5 }""", 1, Guid.NewGuid().ToString());
        var withdraw = await Forms.PostAsync(group484, $"/Respond/Form/{await DemoQuestionnaireIdAsync()}", new Dictionary<string, string>(), $"/Respond/Form/{q}?handler=Withdraw");

        foreach (var refused in new[] { get, save, submit, withdraw })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.DoesNotContain(AstraSecret, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        foreach (var json in new[] { save, submit })
            Assert.Equal("not_found", (await JsonAsync(json)).GetProperty("code").GetString());
        var row = Assert.Single(await ResponsesAsync(app, q));
        Assert.Contains(AstraSecret, row.DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Respondents_of_an_invited_organisation_see_only_their_own_answers_in_a_shared_round()
    {
        var q = await DemoQuestionnaireIdAsync();
        var group484 = await SignInAsync(app, "respondent2@demo.local");
        var astra = await SignInAsync(app, "respondent@demo.local");

        var theirs = await OpenFormAsync(group484, q);
        var mine = await OpenFormAsync(astra, q);

        // Group 484 rated only THB in the demo; ASTRA rated DRUGS too. Neither form carries the other's answers.
        Assert.False(theirs.State.GetProperty("data").TryGetProperty("DRUGS_indicators", out _));
        Assert.True(mine.State.GetProperty("data").TryGetProperty("DRUGS_indicators", out _));
        Assert.Equal("MEDIUM", theirs.State.GetProperty("data").GetProperty("THB_confidence").GetString());
        Assert.Equal("HIGH", mine.State.GetProperty("data").GetProperty("THB_confidence").GetString());
    }

    [Theory]
    [InlineData("coordinator@demo.local")]
    [InlineData("facilitator@demo.local")]
    public async Task Only_respondents_may_open_the_responding_pages(string email)
    {
        var client = await SignInAsync(app, email);
        var q = await DemoQuestionnaireIdAsync();

        foreach (var url in new[] { "/Respond", $"/Respond/Form/{q}" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(url)).StatusCode);
        }
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in()
    {
        var response = await app.CreateBrowserLikeClient().GetAsync($"/Respond/Form/{await DemoQuestionnaireIdAsync()}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private async Task<long> DemoQuestionnaireIdAsync()
    {
        await using var conn = Rounds.RoundSteps.Open(app);
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(conn, """
            SELECT q.id FROM questionnaires q JOIN rounds r ON r.id = q.round_id WHERE r.title = @Title
            """, new { Title = Consultation.Web.Operations.DemoData.DemoRoundTitle });
    }
}
