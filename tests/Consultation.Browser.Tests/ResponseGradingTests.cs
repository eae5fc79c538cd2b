using System.Globalization;
using Consultation.Browser.Tests.Infrastructure;
using Consultation.Browser.Tests.PageObjects;
using Dapper;
using Microsoft.Data.Sqlite;
using static Microsoft.Playwright.Assertions;

namespace Consultation.Browser.Tests;

/// <summary>
/// Issue 3's last step in Chromium: the coordinator opens a round with a submitted response, reads it with the
/// questionnaire's own titles, looks at what changed between revisions, and grades it — on desktop and phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ResponseGradingTests(BrowserFixture browser, BrowserPortalFactory app) : IClassFixture<BrowserPortalFactory>
{
    private const string Answers1 = """{"THB_indicators":{"RESOURCES":4,"SCOPE":3,"FLEXIBILITY":5,"SOCIAL_TOLERANCE":2,"DAMAGE":5},"THB_confidence":"HIGH"}""";
    private const string Answers2 = """{"THB_indicators":{"RESOURCES":4,"SCOPE":5,"FLEXIBILITY":5,"SOCIAL_TOLERANCE":2,"DAMAGE":5},"THB_confidence":"MEDIUM","THB_comment":"More victims recruited online since spring."}""";

    /// <summary>An open round inviting ASTRA, whose respondent has submitted twice (revisions 1 and 2) — written as the respondent's form writes it.</summary>
    private async Task<long> SeedAsync(string title)
    {
        await using var conn = new SqliteConnection($"Data Source={app.DatabasePath}");
        await conn.OpenAsync();
        var astra = await conn.ExecuteScalarAsync<long>("SELECT id FROM organisations WHERE name = 'ASTRA'");
        var setup = await CoordinatorSetup.SignInAsync(app);
        var roundId = await setup.CreateRoundAsync(title, ["THB"], [astra]);
        var questionnaireId = await setup.CreateQuestionnaireAsync(roundId);
        var draft = await conn.QuerySingleAsync<(long Id, long Version, string SchemaJson, string BindingsJson)>(
            "SELECT id, version, schema_json, bindings_json FROM questionnaire_versions WHERE questionnaire_id = @questionnaireId", new { questionnaireId });
        await setup.PublishAsync(questionnaireId, draft.SchemaJson, draft.BindingsJson, draft.Version);
        await setup.OpenRoundAsync(roundId);
        var versionId = await conn.ExecuteScalarAsync<long>(
            "SELECT id FROM questionnaire_versions WHERE questionnaire_id = @questionnaireId AND status = 'Published'", new { questionnaireId });
        var user = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = 'respondent@demo.local'");
        static string At(int hour) => new DateTime(2030, 1, 20, hour, 0, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var responseId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, data_json, submitted_at, created_at, updated_at)
            VALUES (@versionId, @astra, @user, 'Submitted', 2, @Answers2, @T2, @T1, @T2) RETURNING id
            """, new { versionId, astra, user, Answers2, T1 = At(9), T2 = At(11) });
        await conn.ExecuteAsync("""
            INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by)
            VALUES (@responseId, 1, @Answers1, @T1, @user), (@responseId, 2, @Answers2, @T2, @user)
            """, new { responseId, Answers1, Answers2, T1 = At(10), T2 = At(11), user });
        return roundId;
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task Coordinator_reads_a_submitted_response_and_grades_it(string device)
    {
        var viewport = device == "phone" ? BrowserTest.Phone : BrowserTest.Desktop;
        var title = $"SOCTA 2027 consultation ({device})";
        var roundId = await SeedAsync(title);
        await using var test = browser.Start(app, device);

        await test.RunAsync(async () =>
        {
            var coordinator = await test.NewPersonAsync("coordinator", viewport);
            await (await LoginPage.OpenAsync(coordinator)).SignInAsync("coordinator@demo.local");
            var round = await RoundPage.OpenAsync(coordinator, roundId, title);
            await Expect(round.ProgressOf("ASTRA")).ToContainTextAsync("Submitted");
            await Expect(round.ProgressOf("ASTRA")).ToContainTextAsync("2030-01-20 12:00"); // 11:00 UTC in Belgrade
            await test.ScreenshotAsync(coordinator, "1-round-progress");

            var response = await (await round.OpenResponsesAsync()).OpenAsync("ASTRA");
            await Expect(response.AnswerTo("Trafficking in human beings: rate the five indicators"))
                .ToContainTextAsync("How widespread is it (volume, number of groups, geographic spread)? (1 = marginal, local; 5 = pervasive, national/international): 5");
            await Expect(response.AnswerTo("How confident are you in these ratings?")).ToHaveTextAsync("Medium");
            await Expect(response.AnswerTo("Comment (optional)")).ToHaveTextAsync("More victims recruited online since spring.");
            await Expect(response.Revisions.GetByRole(Microsoft.Playwright.AriaRole.Listitem)).ToHaveCountAsync(3); // current + 2 revisions

            // Saving without choosing says what is missing, on the fields.
            await response.SaveGrading.ClickAsync();
            await Expect(response.GradeForm).ToContainTextAsync("Choose the source's reliability: A, B, C or X.");
            await Expect(response.GradeForm).ToContainTextAsync("Choose the information's assessment: 1, 2, 3 or 4.");

            await response.GradeAsync("B", "2");
            await Expect(coordinator.Locator("#response-grading")).ToContainTextAsync("B2");
            await Expect(response.Source("B")).ToBeCheckedAsync();
            await test.ScreenshotAsync(coordinator, "2-response-graded");

            var overflow = await coordinator.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
            Assert.False(overflow, $"The response page scrolls sideways at {viewport.Width}px.");
            test.AssertNoBrowserErrors();
        });
    }
}
