using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Consultation.Core.Accounts;
using Consultation.Core.Organisations;
using Consultation.Core.Questionnaires;
using Consultation.Core.Responses;
using Consultation.Core.Scales;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Operations;

/// <summary>
/// The demo round: DOMAIN.md's worked example as a living round. An open round with the example's settings, a
/// published five-indicator questionnaire made by the template (with its bindings), and the example's
/// responses submitted through the questionnaire's own answer format, graded as in the example — so the
/// evidence computed from the stored answers is the example's (DRUGS 3.9835, THB 3.8166, CYBER suppressed).
/// </summary>
public static partial class DemoData
{
    public const string DemoRoundTitle = "SOCTA 2027 — civil society consultation";

    /// <summary>Respondents the worked example needs beyond the two in <see cref="Users"/>.</summary>
    public static readonly IReadOnlyList<(string Email, string Name, string Organisation)> ExampleRespondents =
    [
        ("police@demo.local", "Demo Respondent (Border Police Directorate)", "Border Police Directorate"),
        ("customs@demo.local", "Demo Respondent (Customs Administration)", "Customs Administration"),
        ("respondent3@demo.local", "Demo Respondent 2 (Group 484)", "Group 484"),
        ("share@demo.local", "Demo Respondent (Share Foundation)", "Share Foundation"),
        ("faculty@demo.local", "Demo Respondent (Faculty of Security Studies)", "Faculty of Security Studies"),
    ];

    /// <summary>One crime area block of an example response: R S F T D, and the stated confidence (null = not answered, i.e. HIGH).</summary>
    public sealed record ExampleBlock(string CrimeArea, int[] Scores, string? Confidence);

    /// <summary>DOMAIN.md, "Worked example", row by row: who answered, the coordinator's grading (null = ungraded), the blocks.</summary>
    public static readonly IReadOnlyList<(string Email, string? Grading, ExampleBlock[] Blocks)> WorkedExample =
    [
        ("police@demo.local", "A1", [new(CrimeAreas.Drugs, [4, 5, 4, 3, 5], null), new(CrimeAreas.Thb, [3, 3, 4, 2, 5], null)]),
        ("customs@demo.local", "B2", [new(CrimeAreas.Drugs, [3, 4, 4, 4, 4], null), new(CrimeAreas.Cyber, [5, 4, 5, 3, 4], null)]),
        ("respondent@demo.local", "B1", [new(CrimeAreas.Drugs, [3, 3, 3, 4, 4], "LOW"), new(CrimeAreas.Thb, [4, 4, 5, 3, 5], "HIGH")]),
        ("respondent2@demo.local", "C2", [new(CrimeAreas.Thb, [4, 5, 4, 2, 4], "MEDIUM")]),
        ("respondent3@demo.local", null, [new(CrimeAreas.Thb, [5, 4, 4, 1, 5], null)]),
        ("share@demo.local", "B3", [new(CrimeAreas.Cyber, [4, 5, 5, 4, 3], null)]),
        ("faculty@demo.local", "X2", [new(CrimeAreas.Drugs, [2, 4, 3, 5, 3], "MEDIUM"), new(CrimeAreas.Thb, [3, 3, 3, 2, 4], null)]),
    ];

    private static readonly string[] RoundCrimeAreas = [CrimeAreas.Drugs, CrimeAreas.Thb, CrimeAreas.Cyber];

    private static async Task SeedDemoRoundAsync(IServiceProvider services, Db db, DateTimeOffset now)
    {
        using (var scope = services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await using var c = await db.OpenAsync();
            foreach (var (email, name, organisation) in ExampleRespondents)
            {
                var orgId = await c.ExecuteScalarAsync<long?>("SELECT id FROM organisations WHERE name = @organisation", new { organisation });
                var user = new AppUser { Email = email, DisplayName = name, EmailConfirmed = true, OrganisationId = orgId };
                var result = await users.CreateAsync(user, Password);
                if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
                await users.AddToRoleAsync(user, Roles.Respondent);
            }
        }

        await using var conn = await db.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var coordinator = await conn.ExecuteScalarAsync<long>("SELECT id FROM users WHERE normalized_email = 'COORDINATOR@DEMO.LOCAL'", transaction: tx);
        var roundId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO rounds (title, description_html, opens_at, closes_at, time_zone, status, min_organisations, default_grading,
                                category_weights_json, indicator_weights_json, created_by, created_at, updated_at)
            VALUES (@DemoRoundTitle, @DescriptionHtml, @Opens, @Closes, 'Europe/Belgrade', 'Open', 3, 'B2', @CategoryWeights, @IndicatorWeights, @coordinator, @now, @now)
            RETURNING id
            """, new
        {
            DemoRoundTitle,
            DescriptionHtml = "<p>Your organisation's view of serious and organised crime, for the 2027 threat assessment.</p>",
            Opens = now.AddDays(-14), Closes = now.AddDays(60),
            CategoryWeights = JsonSerializer.Serialize(OrganisationCategory.All.ToDictionary(c => c, c => c switch
            {
                OrganisationCategory.Agency => 1.5,
                OrganisationCategory.Academic => 0.8,
                _ => 1.0,
            })),
            IndicatorWeights = JsonSerializer.Serialize(Indicators.All.ToDictionary(i => i, i => i == Indicators.Damage ? 2.0 : 1.0)),
            coordinator, now,
        }, tx);
        foreach (var code in RoundCrimeAreas)
            await conn.ExecuteAsync("INSERT INTO round_crime_areas (round_id, crime_area_code) VALUES (@roundId, @code)", new { roundId, code }, tx);
        // Every organisation but the ministry that runs the consultation.
        await conn.ExecuteAsync("""
            INSERT INTO round_organisations (round_id, organisation_id, invited_at, invited_by)
            SELECT @roundId, id, @now, @coordinator FROM organisations WHERE category <> 'MINISTRY'
            """, new { roundId, now, coordinator }, tx);

        var areas = (await conn.QueryAsync<CrimeAreaName>($"""
            SELECT ca.code, ca.name_en, ca.name_sr_latn, ca.name_mk, ca.name_sq FROM crime_areas ca WHERE ca.code {SqlList.In(conn, "@RoundCrimeAreas")} ORDER BY ca.sort_order
            """, new { RoundCrimeAreas }, tx)).ToList();
        var questionnaire = QuestionnaireTemplates.Generate(QuestionnaireTemplates.FiveIndicator, areas);
        var questionnaireId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO questionnaires (round_id, title, template, created_by, created_at, updated_at)
            VALUES (@roundId, @Title, @Template, @coordinator, @now, @now) RETURNING id
            """, new { roundId, questionnaire.Title, questionnaire.Template, coordinator, now }, tx);
        var versionId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO questionnaire_versions (questionnaire_id, version, status, schema_json, bindings_json, created_by, created_at, updated_at, published_at, published_by)
            VALUES (@questionnaireId, 1, 'Published', @SchemaJson, @BindingsJson, @coordinator, @now, @now, @now, @coordinator) RETURNING id
            """, new { questionnaireId, questionnaire.SchemaJson, questionnaire.BindingsJson, coordinator, now }, tx);

        var submittedAt = now.AddDays(-1);
        foreach (var (email, grading, blocks) in WorkedExample)
        {
            var data = ExampleAnswers(questionnaire.Bindings, blocks);
            var errors = AnswerValidator.Validate(questionnaire.SchemaJson, data);
            if (errors.Count > 0) throw new InvalidOperationException($"Demo answers of {email} do not fit the questionnaire: {string.Join("; ", errors)}");
            await SubmitExampleAsync(conn, tx, versionId, email, grading, data, coordinator, submittedAt);
        }
        await tx.CommitAsync();
    }

    /// <summary>
    /// The answers a respondent would have given in the form, written through the questionnaire's bindings (the
    /// same map the evidence reads back): each score into its matrix row, each stated confidence into its choice.
    /// </summary>
    public static string ExampleAnswers(IReadOnlyList<Binding> bindings, IEnumerable<ExampleBlock> blocks)
    {
        var data = new JsonObject();
        foreach (var block in blocks)
        {
            for (var i = 0; i < Indicators.All.Count; i++)
            {
                var b = bindings.Single(b => b.Kind == BindingKinds.Indicator && b.CrimeArea == block.CrimeArea && b.Indicator == Indicators.All[i]);
                if (data[b.Question] is not JsonObject matrix) data[b.Question] = matrix = new JsonObject();
                matrix[b.Row!] = block.Scores[i];
            }
            if (block.Confidence is { } confidence)
            {
                var b = bindings.Single(b => b.Kind == BindingKinds.Confidence && b.CrimeArea == block.CrimeArea);
                data[b.Question] = confidence;
            }
        }
        return data.ToJsonString();
    }

    private static async Task SubmitExampleAsync(DbConnection conn, DbTransaction tx, long versionId, string email, string? grading,
        string data, long coordinator, DateTimeOffset at)
    {
        var (userId, orgId) = await conn.QuerySingleAsync<(long, long)>(
            "SELECT id, organisation_id FROM users WHERE normalized_email = @Email", new { Email = email.ToUpperInvariant() }, tx);
        var responseId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO responses (questionnaire_version_id, organisation_id, respondent_user_id, status, revision, current_page, data_json,
                                   submitted_at, grading, graded_by, graded_at, created_at, updated_at)
            VALUES (@versionId, @orgId, @userId, 'Submitted', 1, 0, @data, @at, @grading, @GradedBy, @GradedAt, @at, @at)
            RETURNING id
            """, new
        {
            versionId, orgId, userId, data, at, grading,
            GradedBy = grading is null ? (long?)null : coordinator, GradedAt = grading is null ? (DateTimeOffset?)null : at,
        }, tx);
        await conn.ExecuteAsync("""
            INSERT INTO response_revisions (response_id, revision_no, data_json, submitted_at, submitted_by)
            VALUES (@responseId, 1, @data, @at, @userId)
            """, new { responseId, data, at, userId }, tx);
    }
}
