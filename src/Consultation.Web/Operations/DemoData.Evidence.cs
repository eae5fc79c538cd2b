using System.Data.Common;
using System.Text.Json.Nodes;
using Consultation.Core.Questionnaires;
using Consultation.Core.Scales;
using Consultation.Web.Infrastructure.Data;
using Dapper;

namespace Consultation.Web.Operations;

/// <summary>
/// A closed demo round holding DOMAIN.md's worked example (seven submitted five-indicator responses on DRUGS, THB
/// and CYBER), so the evidence page has something true to show: DRUGS 3.9835 rank 1, THB 3.8166 rank 2, CYBER
/// suppressed. Tests seed it directly (the demo data's own round, DemoData.Rounds.cs, holds the same example).
/// </summary>
public static class EvidenceDemo
{
    public const string Title = "SOCTA 2027 — worked example (evidence demo)";

    private sealed record Row(string Organisation, string Category, string? Grading, Dictionary<string, (int[] Scores, string? Confidence)> Areas);

    /// <summary>The worked example of DOMAIN.md, row by row.</summary>
    private static readonly Row[] WorkedExample =
    [
        new("Border Police Directorate", "AGENCY", "A1", new() { ["DRUGS"] = ([4, 5, 4, 3, 5], null), ["THB"] = ([3, 3, 4, 2, 5], null) }),
        new("Customs Administration", "AGENCY", "B2", new() { ["DRUGS"] = ([3, 4, 4, 4, 4], null), ["CYBER"] = ([5, 4, 5, 3, 4], null) }),
        new("ASTRA", "NGO", "B1", new() { ["DRUGS"] = ([3, 3, 3, 4, 4], "LOW"), ["THB"] = ([4, 4, 5, 3, 5], "HIGH") }),
        new("Group 484", "NGO", "C2", new() { ["THB"] = ([4, 5, 4, 2, 4], "MEDIUM") }),
        new("Group 484", "NGO", null, new() { ["THB"] = ([5, 4, 4, 1, 5], null) }),
        new("Share Foundation", "NGO", "B3", new() { ["CYBER"] = ([4, 5, 5, 4, 3], null) }),
        new("Faculty of Security Studies", "ACADEMIC", "X2", new() { ["DRUGS"] = ([2, 4, 3, 5, 3], "MEDIUM"), ["THB"] = ([3, 3, 3, 2, 4], null) }),
    ];

    /// <summary>Creates the round (settings of the worked example) with its responses; returns the round id.</summary>
    public static async Task<long> SeedWorkedExampleAsync(Db db, DateTimeOffset now, string title = Title, CancellationToken ct = default)
    {
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var author = await conn.ExecuteScalarAsync<long?>("SELECT MIN(id) FROM users", transaction: tx)
            ?? throw new InvalidOperationException("Seed users before the evidence demo round.");
        var roundId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO rounds (title, description_html, opens_at, closes_at, status, min_organisations, default_grading,
                                category_weights_json, indicator_weights_json, created_by, created_at, updated_at)
            VALUES (@title, '', @opens, @closes, 'Closed', 3, 'B2', @cw, @iw, @author, @now, @now) RETURNING id
            """, new
        {
            title, opens = now.AddDays(-30), closes = now.AddDays(-1), author, now,
            cw = """{"AGENCY":1.5,"NGO":1.0,"ACADEMIC":0.8}""", iw = """{"DAMAGE":2}""",
        }, tx);
        string[] areas = [CrimeAreas.Drugs, CrimeAreas.Thb, CrimeAreas.Cyber];
        foreach (var code in areas)
            await conn.ExecuteAsync("INSERT INTO round_crime_areas (round_id, crime_area_code) VALUES (@roundId, @code)", new { roundId, code }, tx);

        var names = (await conn.QueryAsync<CrimeAreaName>(
            $"SELECT code, name_en, name_sr_latn, name_mk, name_sq FROM crime_areas WHERE code {SqlList.In(conn, "@areas")}", new { areas }, tx))
            .OrderBy(a => Array.IndexOf(areas, a.Code)).ToList();
        var generated = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, names);
        var questionnaireId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO questionnaires (round_id, title, template, created_by, created_at, updated_at)
            VALUES (@roundId, @Title, @Template, @author, @now, @now) RETURNING id
            """, new { roundId, generated.Title, generated.Template, author, now }, tx);
        var versionId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO questionnaire_versions (questionnaire_id, version, status, schema_json, bindings_json, created_by, created_at, updated_at, published_at, published_by)
            VALUES (@questionnaireId, 1, 'Published', @SchemaJson, @BindingsJson, @author, @now, @now, @now, @author) RETURNING id
            """, new { questionnaireId, generated.SchemaJson, generated.BindingsJson, author, now }, tx);

        foreach (var row in WorkedExample)
        {
            var organisationId = await OrganisationAsync(conn, tx, row.Organisation, row.Category, now);
            await conn.ExecuteAsync("INSERT INTO round_organisations (round_id, organisation_id, invited_at, invited_by) VALUES (@roundId, @organisationId, @now, @author) ON CONFLICT DO NOTHING",
                new { roundId, organisationId, now, author }, tx);
            var respondent = await RespondentAsync(conn, tx, organisationId, now);
            await InsertSubmittedAsync(conn, tx, versionId, organisationId, respondent, row.Grading, Answers(row.Areas), now);
        }
        await tx.CommitAsync(ct);
        return roundId;
    }

    /// <summary>SurveyJS answers of the five-indicator template: <c>{AREA}_indicators</c> row → value, <c>{AREA}_confidence</c>.</summary>
    public static string Answers(IReadOnlyDictionary<string, (int[] Scores, string? Confidence)> areas)
    {
        var data = new JsonObject();
        foreach (var (area, (scores, confidence)) in areas)
        {
            var matrix = new JsonObject();
            for (var i = 0; i < Indicators.All.Count; i++) matrix[Indicators.All[i]] = scores[i];
            data[$"{area}_indicators"] = matrix;
            if (confidence is not null) data[$"{area}_confidence"] = confidence;
        }
        return data.ToJsonString();
    }

    /// <summary>
    /// A submitted response with one revision, the way the respondent's submit stores it, marked as entered on the
    /// organisation's behalf (<c>source = 'Import'</c>): one author records every organisation's answers here.
    /// </summary>
    public static async Task<long> InsertSubmittedAsync(DbConnection conn, DbTransaction? tx, long versionId, long organisationId, long userId,
        string? grading, string dataJson, DateTimeOffset now)
    {
        var responseId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, source, status, revision, data_json, submitted_at, grading, created_at, updated_at)
            VALUES (@versionId, @organisationId, @userId, 'Import', 'Submitted', 1, @dataJson, @now, @grading, @now, @now) RETURNING id
            """, new { versionId, organisationId, userId, dataJson, now, grading }, tx);
        await conn.ExecuteAsync("""
            INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by)
            VALUES (@responseId, 1, @dataJson, @now, @userId)
            """, new { responseId, dataJson, now, userId }, tx);
        return responseId;
    }

    /// <summary>
    /// A member of <paramref name="organisationId"/> without a password (cannot sign in): one respondent answers a
    /// questionnaire version once (migration 0004), so each seeded response needs its own.
    /// </summary>
    public static Task<long> RespondentAsync(DbConnection conn, DbTransaction? tx, long organisationId, DateTimeOffset now)
    {
        var email = $"respondent-{Guid.NewGuid():N}@seed.invalid";
        return conn.ExecuteScalarAsync<long>("""
            INSERT INTO users (email, normalized_email, display_name, security_stamp, concurrency_stamp, email_confirmed, organisation_id, created_at)
            VALUES (@email, upper(@email), 'Seeded respondent', @stamp, @stamp, 1, @organisationId, @now) RETURNING id
            """, new { email, stamp = Guid.NewGuid().ToString("N"), organisationId, now }, tx);
    }

    private static async Task<long> OrganisationAsync(DbConnection conn, DbTransaction tx, string name, string category, DateTimeOffset now) =>
        await conn.ExecuteScalarAsync<long?>("SELECT id FROM organisations WHERE lower(name) = lower(@name)", new { name }, tx)
        ?? await conn.ExecuteScalarAsync<long>("""
            INSERT INTO organisations (name, category, country, created_at, updated_at) VALUES (@name, @category, 'RS', @now, @now) RETURNING id
            """, new { name, category, now }, tx);
}
