using System.Globalization;
using Dapper;
using static Consultation.Web.Tests.Pages.Rounds.RoundSteps;

namespace Consultation.Web.Tests.Pages.Rounds;

/// <summary>
/// Responses written straight into the tables the respondent's form writes (migration 0002): a response row and,
/// per submission, a copy in response_revisions numbered 1..n.
/// </summary>
public static class ResponseSeed
{
    public sealed record OpenRound(long RoundId, long QuestionnaireId, long VersionId);

    /// <summary>An open round inviting <paramref name="organisations"/>, with a published five-indicator questionnaire (DRUGS, THB).</summary>
    public static async Task<OpenRound> OpenRoundAsync(PortalFactory app, HttpClient coordinator, string title, params string[] organisations)
    {
        var ids = new List<long>();
        foreach (var name in organisations) ids.Add(await OrganisationIdAsync(app, name));
        var roundId = await CreateRoundAsync(coordinator, title, ids);
        var q = await CreateQuestionnaireAsync(coordinator, roundId);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await SaveQuestionnaireAsync(app, coordinator, q, publish: true)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await MoveAsync(coordinator, roundId, "Open")).StatusCode);
        var version = await LatestVersionAsync(app, q);
        Assert.Equal("Published", version.Status);
        return new OpenRound(roundId, q, version.Id);
    }

    public static async Task<long> UserIdAsync(PortalFactory app, string email)
    {
        await using var conn = Open(app);
        return await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE email = @email", new { email });
    }

    /// <summary>Inserts a response; each entry of <paramref name="submissions"/> becomes one kept revision (the last is the current data).</summary>
    public static async Task<long> InsertAsync(PortalFactory app, long versionId, string organisation, string respondentEmail, string status,
        string draftJson = "{}", IReadOnlyList<string>? submissions = null, DateTimeOffset? at = null)
    {
        var orgId = await OrganisationIdAsync(app, organisation);
        var userId = await UserIdAsync(app, respondentEmail);
        var when = at ?? new DateTimeOffset(2030, 1, 20, 10, 0, 0, TimeSpan.Zero);
        submissions ??= [];
        var data = submissions.Count > 0 ? submissions[^1] : draftJson;
        await using var conn = Open(app);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, data_json, submitted_at, created_at, updated_at)
            VALUES (@versionId, @orgId, @userId, @status, @Revision, @data, @SubmittedAt, @Created, @Updated)
            RETURNING id
            """, new
        {
            versionId, orgId, userId, status, Revision = submissions.Count, data,
            SubmittedAt = submissions.Count > 0 ? Iso(when.AddHours(submissions.Count)) : null,
            Created = Iso(when), Updated = Iso(when.AddHours(submissions.Count + 0.5)),
        }, tx);
        for (var i = 0; i < submissions.Count; i++)
            await conn.ExecuteAsync("""
                INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by)
                VALUES (@id, @No, @Data, @At, @userId)
                """, new { id, No = i + 1, Data = submissions[i], At = Iso(when.AddHours(i + 1)), userId }, tx);
        await tx.CommitAsync();
        return id;
    }

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Complete answers to the five-indicator template for DRUGS and THB (all required fields, if any).</summary>
    public static string Answers(int drugsScope = 4, string thbConfidence = "HIGH", string comment = "Seen on the northern route") =>
        $$"""{"DRUGS_indicators":{"RESOURCES":3,"SCOPE":{{drugsScope}},"FLEXIBILITY":4,"SOCIAL_TOLERANCE":2,"DAMAGE":5},"DRUGS_confidence":"MEDIUM","THB_indicators":{"RESOURCES":4,"SCOPE":4,"FLEXIBILITY":5,"SOCIAL_TOLERANCE":3,"DAMAGE":5},"THB_confidence":"{{thbConfidence}}","THB_comment":"{{comment}}"}""";
}
