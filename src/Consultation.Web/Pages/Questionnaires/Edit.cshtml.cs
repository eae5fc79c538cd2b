using System.ComponentModel.DataAnnotations;
using System.Data.Common;
using Consultation.Core.Questionnaires;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Questionnaires;

/// <summary>
/// Authoring: the SurveyJS JSON and its bindings beside a live preview. Save validates on the server;
/// Publish freezes the version; saving over a published version starts the next draft version.
/// The form reader admits a value of <see cref="MaxFormValueBytes"/>: a field of up to 1,000,000 characters, even
/// all of them non-Latin (up to 9 bytes each once form-encoded), reaches the page and its field error — with the
/// text kept in the editor — instead of failing in the reader's default 4 MiB limit (then <see cref="Infrastructure.FormLimits"/> answers 413).
/// </summary>
[RequestFormLimits(ValueLengthLimit = MaxFormValueBytes)]
public sealed class EditModel(Db db, CurrentUser me, AuditLog audit, RichText richText, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    public const int MaxFormValueBytes = 10 * 1024 * 1024;
    public const int MaxJsonCharacters = 1_000_000;

    [BindProperty] public InputModel Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }
    /// <summary>The device copy (<see cref="InputModel.DeviceCopy"/>) the last save stored: the page after the redirect names
    /// it, and the script removes it from the device that typed it.</summary>
    [TempData] public Guid? SavedDeviceCopy { get; set; }
    /// <summary>True when the editor shows the stored version (a GET); false when it shows a refused post's text.</summary>
    public bool ShowsStoredText { get; private set; }
    public HeaderRow Header { get; private set; } = new();
    public IReadOnlyList<VersionRow> Versions { get; private set; } = [];
    public VersionRow Latest => Versions[0];
    /// <summary>Respondents' drafts never submitted: publishing a new version moves each to it when its respondent next opens the form.</summary>
    public long DraftsToMove { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the questionnaire's SurveyJS JSON."), StringLength(MaxJsonCharacters, ErrorMessage = "The questionnaire is too large.")]
        public string SchemaJson { get; set; } = "";

        [StringLength(MaxJsonCharacters, ErrorMessage = "The bindings are too large.")]
        public string? BindingsJson { get; set; }

        /// <summary>The version the author started from; a different latest version means someone else saved meanwhile.</summary>
        public long BaseVersion { get; set; }

        /// <summary>When that version was last saved (a draft is saved many times): a later save means someone else saved meanwhile.</summary>
        public string? BaseSavedAt { get; set; }

        /// <summary>
        /// The id of the copy of this text that questionnaire-editor.js keeps in the browser while it is not saved (a
        /// session that ended before the save must not lose it). Only handed back after a save; anything that is not such
        /// an id (a UUID) is ignored.
        /// </summary>
        public string? DeviceCopy { get; set; }
    }

    public sealed record HeaderRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public long RoundId { get; init; }
        public string RoundTitle { get; init; } = "";
        public string RoundStatus { get; init; } = "";
        public bool RoundLocked => Consultation.Core.Rounds.RoundStatuses.IsEnded(RoundStatus);
    }

    public sealed record VersionRow
    {
        public long Id { get; init; }
        public long Version { get; init; }
        public string Status { get; init; } = "";
        public string SchemaJson { get; init; } = "";
        public string BindingsJson { get; init; } = "";
        public DateTimeOffset UpdatedAt { get; init; }
        /// <summary>The column exactly as stored, for the save's guard (whatever wrote it, the comparison is exact).</summary>
        public string UpdatedAtStored { get; init; } = "";
        public DateTimeOffset? PublishedAt { get; init; }
        public bool IsPublished => Status == VersionStatus.Published;
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        if (!await LoadAsync(conn, id, ct)) return NotFound();
        Input = new InputModel { SchemaJson = richText.SanitizeSurveyJson(Latest.SchemaJson), BindingsJson = Latest.BindingsJson, BaseVersion = Latest.Version,
            BaseSavedAt = DapperSetup.Format(Latest.UpdatedAt) };
        ShowsStoredText = true;
        return Page();
    }

    public Task<IActionResult> OnPostAsync(long id, CancellationToken ct) => SaveAsync(id, publish: false, ct);

    public Task<IActionResult> OnPostPublishAsync(long id, CancellationToken ct) => SaveAsync(id, publish: true, ct);

    private async Task<IActionResult> SaveAsync(long id, bool publish, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        if (!await LoadAsync(conn, id, ct)) return NotFound();
        if (Header.RoundLocked)
            ModelState.AddModelError("", L["The round is closed; its questionnaires can no longer change."]);
        if (!ModelState.IsValid) return Page();

        if (Input.BaseVersion != Latest.Version || (!Latest.IsPublished && Input.BaseSavedAt is not null && Input.BaseSavedAt != DapperSetup.Format(Latest.UpdatedAt)))
        {
            ModelState.AddModelError("", L["Someone else saved version {0} meanwhile. Your text is still below: copy it, reload the page and merge your changes.", Latest.Version]);
            return Page();
        }

        // SurveyJS renders html questions and …Html texts as HTML: the one sanitizer cleans them before they are stored.
        // A definition it cannot read stays as typed, for the author to correct.
        var readable = richText.TrySanitizeSurveyJson(Input.SchemaJson, out var sanitized);
        if (readable) Input.SchemaJson = sanitized!;
        var areas = await QuestionnairesSql.CrimeAreasAsync(conn, Header.RoundId, ct);
        var check = QuestionnaireValidator.Validate(Input.SchemaJson, Input.BindingsJson, areas.Select(a => a.Code).ToList());
        foreach (var e in check.Errors)
        {
            var field = e.Path.StartsWith("bindings", StringComparison.Ordinal) ? "Input.BindingsJson" : "Input.SchemaJson";
            ModelState.AddModelError(field, $"{e.Path}: {L[e.Message, [.. e.Arguments]]}");
        }
        // What the sanitizer cannot read (not JSON, a property twice, a text that is no text) the validator refuses.
        if (!check.IsValid || !readable) return Page();

        var bindings = string.IsNullOrWhiteSpace(Input.BindingsJson) ? "[]" : Input.BindingsJson;
        var unchanged = Latest.SchemaJson == Input.SchemaJson && Latest.BindingsJson == bindings;
        if (Latest.IsPublished && unchanged)
        {
            if (publish) ModelState.AddModelError("", L["Version {0} is already published.", Latest.Version]);
            else StatusMessage = L["Nothing changed: version {0} stays published.", Latest.Version];
            if (!publish) SavedDeviceCopy = DeviceCopyId(Input.DeviceCopy);
            return publish ? Page() : RedirectToPage(new { id });
        }

        var now = clock.GetUtcNow();
        await using var tx = await conn.BeginTransactionAsync(ct);
        long versionId, version;
        if (!Latest.IsPublished)
        {
            // The status condition is the code's half of immutability; a trigger in the database is the other.
            var n = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE questionnaire_versions SET schema_json = @SchemaJson, bindings_json = @bindings, updated_at = @now
                 WHERE id = @VersionId AND questionnaire_id = @QuestionnaireId AND status = 'Draft' AND updated_at = @BaseSavedAt
                """, new { Input.SchemaJson, bindings, now, VersionId = Latest.Id, QuestionnaireId = id, BaseSavedAt = Latest.UpdatedAtStored }, tx, cancellationToken: ct));
            if (n == 0) return await ConflictAsync(tx, ct);
            (versionId, version) = (Latest.Id, Latest.Version);
        }
        else
        {
            try
            {
                (versionId, version) = await conn.QuerySingleAsync<(long, long)>(new CommandDefinition("""
                    INSERT INTO questionnaire_versions (questionnaire_id, version, status, schema_json, bindings_json, created_by, created_at, updated_at)
                    VALUES (@id, @Next, 'Draft', @SchemaJson, @bindings, @Me, @now, @now)
                    RETURNING id, version
                    """, new { id, Next = Latest.Version + 1, Input.SchemaJson, bindings, Me = me.Id, now }, tx, cancellationToken: ct));
            }
            catch (DbException ex) when (DbErrors.IsUniqueViolation(ex))
            {
                return await ConflictAsync(tx, ct);
            }
        }
        if (publish)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE questionnaire_versions SET status = 'Published', published_at = @now, published_by = @Me, updated_at = @now
                 WHERE id = @versionId AND status = 'Draft'
                """, new { now, Me = me.Id, versionId }, tx, cancellationToken: ct));
        }
        var moving = publish ? await DraftsToMoveAsync(conn, id, versionId, ct, tx) : 0;
        await conn.ExecuteAsync(new CommandDefinition("UPDATE questionnaires SET updated_at = @now WHERE id = @id", new { now, id }, tx, cancellationToken: ct));
        await audit.WriteAsync(publish ? AuditActions.QuestionnairePublished : AuditActions.QuestionnaireSaved,
            $"questionnaire:{id}", $"version {version}", conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = publish ? L["Version {0} published. It can no longer change; editing creates version {1}.", version, version + 1]
                                  + (version > 1 ? " " + L["Drafts not yet submitted that move to version {0} when their respondents next open the questionnaire (answers carried over): {1}.", version, moving] : "")
                                : L["Draft version {0} saved.", version];
        SavedDeviceCopy = DeviceCopyId(Input.DeviceCopy);
        return RedirectToPage(new { id });
    }

    /// <summary>
    /// The live preview renders what saving would store, never the text as typed: the author's definition through the
    /// same sanitizer, as JSON. 400 problem+json with the reason when it cannot be read (too large, not JSON, a property
    /// twice, a text that is not text); the script then keeps the last good preview. Changes nothing, so a closed
    /// round's questionnaire is previewed too.
    /// </summary>
    public async Task<IActionResult> OnPostPreviewAsync(long id, CancellationToken ct)
    {
        await using (var conn = await db.OpenAsync(ct))
        {
            var found = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM questionnaires WHERE id = @id", new { id }, cancellationToken: ct));
            if (found is null) return NotFound();
        }
        if (ModelState[$"{nameof(Input)}.{nameof(InputModel.SchemaJson)}"]?.Errors is [var invalid, ..]) return PreviewProblem(invalid.ErrorMessage);
        if (richText.TrySanitizeSurveyJson(Input.SchemaJson, out var sanitized)) return Content(sanitized, "application/json");
        // Whatever the sanitizer cannot read, the validator names (the first error is why).
        return PreviewProblem(QuestionnaireValidator.Validate(Input.SchemaJson, null).Errors is [var why, ..] ? L[why.Message, [.. why.Arguments]] : "");
    }

    /// <summary>The script's copy id (a UUID), or null for anything else. A Guid, not the string: TempData's serializer
    /// reads back any string that looks like a Guid as one.</summary>
    private static Guid? DeviceCopyId(string? value) => Guid.TryParse(value, out var id) ? id : null;

    /// <summary>The code tells the script this 400 from another one (an expired antiforgery token is a 400 too).</summary>
    public const string PreviewUnreadable = "questionnaire.preview_unreadable";

    private static ObjectResult PreviewProblem(string title) =>
        new(new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest, Title = title, Type = "urn:consultation:" + PreviewUnreadable,
            Extensions = { ["code"] = PreviewUnreadable },
        })
        {
            StatusCode = StatusCodes.Status400BadRequest,
            ContentTypes = { "application/problem+json" },
        };

    private async Task<IActionResult> ConflictAsync(DbTransaction tx, CancellationToken ct)
    {
        await tx.RollbackAsync(ct);
        ModelState.AddModelError("", L["Someone else changed this questionnaire meanwhile. Your text is still below: copy it, reload the page and merge your changes."]);
        return Page();
    }

    private async Task<bool> LoadAsync(DbConnection conn, long id, CancellationToken ct)
    {
        var header = await conn.QuerySingleOrDefaultAsync<HeaderRow>(new CommandDefinition("""
            SELECT q.id, q.title, r.id AS round_id, r.title AS round_title, r.status AS round_status
              FROM questionnaires q JOIN rounds r ON r.id = q.round_id
             WHERE q.id = @id
            """, new { id }, cancellationToken: ct));
        if (header is null) return false;
        Header = header;
        Versions = (await conn.QueryAsync<VersionRow>(new CommandDefinition("""
            SELECT id, version, status, schema_json, bindings_json, updated_at, updated_at AS updated_at_stored, published_at
              FROM questionnaire_versions WHERE questionnaire_id = @id ORDER BY version DESC
            """, new { id }, cancellationToken: ct))).ToList();
        if (Versions.Count == 0) return false;
        DraftsToMove = await DraftsToMoveAsync(conn, id, null, ct);
        return true;
    }

    /// <summary>
    /// Respondents' drafts of the questionnaire never submitted (no revision), but those on <paramref name="exceptVersionId"/>:
    /// the ones the form moves to the latest published version when opened (Respond/Form).
    /// </summary>
    private static Task<long> DraftsToMoveAsync(DbConnection conn, long id, long? exceptVersionId, CancellationToken ct, DbTransaction? tx = null) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT COUNT(*) FROM responses rs JOIN questionnaire_versions v ON v.id = rs.questionnaire_version_id
             WHERE v.questionnaire_id = @id AND rs.status = 'Draft' AND rs.source = 'Form'
               AND rs.questionnaire_version_id <> @exceptVersionId
               AND NOT EXISTS (SELECT 1 FROM response_revisions rr WHERE rr.response_id = rs.id)
            """, new { id, exceptVersionId = exceptVersionId ?? 0 }, tx, cancellationToken: ct));
}
