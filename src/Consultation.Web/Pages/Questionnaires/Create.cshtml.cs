using System.ComponentModel.DataAnnotations;
using Consultation.Core.Questionnaires;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Questionnaires;

/// <summary>A new questionnaire in a round: from one of the templates (one click, then editable) or blank.</summary>
public sealed class CreateModel(Db db, CurrentUser me, AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    public const string Blank = "BLANK";

    [BindProperty] public InputModel Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }
    public QuestionnairesSql.RoundRow Round { get; private set; } = new();
    /// <summary>A closed or archived round: the page shows the refusal and no form to post.</summary>
    public bool Locked => Round.IsLocked;

    public sealed class InputModel
    {
        [StringLength(200, ErrorMessage = "The title can be at most 200 characters.")]
        [Infrastructure.SingleLine(ErrorMessage = "The title must be a single line without control characters.")]
        public string? Title { get; set; }

        [Required(ErrorMessage = "Choose a template.")]
        public string Template { get; set; } = QuestionnaireTemplates.FiveIndicator;
    }

    /// <summary>Template codes with their English names (the localization keys), blank last.</summary>
    public static IReadOnlyList<(string Code, string Name, string Hint)> Choices { get; } =
    [
        (QuestionnaireTemplates.FiveIndicator, "Five-indicator assessment", "Each crime area on the five SOCTA indicators (1–5), with confidence and a comment."),
        (QuestionnaireTemplates.SocialTolerance, "Social tolerance", "Each crime area's social tolerance (1–5), with a comment."),
        (QuestionnaireTemplates.SituationalReport, "Situational report", "Per crime area: trend, new modus operandi, affected groups and places, sources."),
        (QuestionnaireTemplates.Pestle, "PESTLE factors", "Per PESTLE dimension, a list of factors scored for impact and likelihood."),
        (Blank, "Blank questionnaire", "Start from one question and write the SurveyJS JSON yourself."),
    ];

    public async Task<IActionResult> OnGetAsync(long roundId, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var round = await QuestionnairesSql.RoundAsync(conn, roundId, ct);
        if (round is null) return NotFound();
        Round = round;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long roundId, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var round = await QuestionnairesSql.RoundAsync(conn, roundId, ct);
        if (round is null) return NotFound();
        Round = round;
        // The page shows the refusal and keeps what was typed, read-only.
        if (Locked) return Page();
        if (Input.Template != Blank && !QuestionnaireTemplates.IsKnown(Input.Template))
            ModelState.AddModelError("Input.Template", L["Choose a template."]);
        if (!ModelState.IsValid) return Page();

        var areas = await QuestionnairesSql.CrimeAreasAsync(conn, roundId, ct);
        string title, schema, bindings;
        if (Input.Template == Blank)
        {
            (title, schema, bindings) = (L["New questionnaire"].Value, BlankSchema, "[]");
        }
        else
        {
            if (QuestionnaireTemplates.NeedsCrimeAreas(Input.Template) && areas.Count == 0)
            {
                ModelState.AddModelError("Input.Template", L["This template is built from the round's crime areas: choose some in the round first."]);
                return Page();
            }
            var generated = QuestionnaireTemplates.Generate(Input.Template, areas);
            (title, schema, bindings) = (L[generated.Title].Value, generated.SchemaJson, generated.BindingsJson);
        }
        if (!string.IsNullOrWhiteSpace(Input.Title)) title = Input.Title.Trim();

        var now = clock.GetUtcNow();
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO questionnaires (round_id, title, template, created_by, created_at, updated_at)
            VALUES (@roundId, @title, @Template, @Me, @now, @now) RETURNING id
            """, new { roundId, title, Template = Input.Template == Blank ? null : Input.Template, Me = me.Id, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO questionnaire_versions (questionnaire_id, version, status, schema_json, bindings_json, created_by, created_at, updated_at)
            VALUES (@id, 1, 'Draft', @schema, @bindings, @Me, @now, @now)
            """, new { id, schema, bindings, Me = me.Id, now }, tx, cancellationToken: ct));
        await audit.WriteAsync(AuditActions.QuestionnaireCreated, $"questionnaire:{id}", $"{title} in round:{roundId} from {Input.Template}", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Questionnaire created as draft version 1."];
        return RedirectToPage("./Edit", new { id });
    }

    private const string BlankSchema = """
        {
          "title": { "default": "New questionnaire", "sr": "Novi upitnik", "sr-Cyrl": "Нови упитник", "mk": "Нов прашалник", "sq": "Pyetësor i ri" },
          "pages": [
            {
              "name": "page1",
              "elements": [
                { "type": "comment", "name": "question1", "title": { "default": "Your question", "sr": "Vaše pitanje", "sr-Cyrl": "Ваше питање", "mk": "Вашето прашање", "sq": "Pyetja juaj" } }
              ]
            }
          ]
        }
        """;
}
