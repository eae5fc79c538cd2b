using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Core.Organisations;
using Consultation.Core.Rounds;
using Consultation.Core.Scales;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Rounds;

public sealed class EditModel(Db db, CurrentUser me, AuditLog audit, RichText richText, TimeProvider clock, IStringLocalizer<SharedResource> localizer)
    : RoundForm(richText, localizer)
{
    [TempData] public string? StatusMessage { get; set; }
    public long Id { get; private set; }
    /// <summary>A closed or archived round: the page shows the refusal and the fields read-only, with no way to save.</summary>
    public bool Locked { get; private set; }

    /// <summary>
    /// The stored <c>updated_at</c> of the round the form was rendered from (a hidden field): a save is stored only over
    /// that version, so a page opened before someone else saved cannot silently overwrite what they saved.
    /// </summary>
    [BindProperty] public string? BaseSavedAt { get; set; }

    /// <summary>What the checks of a save need from the stored round.</summary>
    private sealed record StoredRow
    {
        public string Status { get; init; } = "";
        public DateTimeOffset OpensAt { get; init; }
        public string TimeZone { get; init; } = "";
        public DateTimeOffset UpdatedAt { get; init; }
        /// <summary>The column exactly as stored, for the save's guard (whatever wrote it, the comparison is exact).</summary>
        public string UpdatedAtStored { get; init; } = "";
        public string? UpdatedByName { get; init; }
    }

    private const string StoredSql = """
        SELECT r.status, r.opens_at, r.time_zone, r.updated_at, r.updated_at AS updated_at_stored,
               (SELECT COALESCE(NULLIF(u.display_name, ''), u.email) FROM users u WHERE u.id = r.updated_by) AS updated_by_name
          FROM rounds r WHERE r.id = @id
        """;

    private sealed record AnsweredRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
    }

    private sealed record RoundRow
    {
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        public string DescriptionHtml { get; init; } = "";
        public DateTimeOffset OpensAt { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public string TimeZone { get; init; } = "";
        public string CategoryWeightsJson { get; init; } = "{}";
        public string IndicatorWeightsJson { get; init; } = "{}";
        public string DefaultGrading { get; init; } = "";
        public long MinOrganisations { get; init; }
        public long? ReminderDaysBeforeClose { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public string UpdatedAtStored { get; init; } = "";
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        Id = id;
        await using var conn = await db.OpenAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition("""
            SELECT title, status, description_html, opens_at, closes_at, time_zone, category_weights_json, indicator_weights_json,
                   default_grading, min_organisations, reminder_days_before_close, updated_at, updated_at AS updated_at_stored
              FROM rounds WHERE id = @id
            """, new { id }, cancellationToken: ct));
        if (row is null) return NotFound();
        // Reached by a bookmark or an old tab: say at once that nothing can change, rather than after the user typed.
        Locked = RoundStatuses.IsEnded(row.Status);
        OpeningFixed = row.Status == "Open";
        BaseSavedAt = row.UpdatedAtStored;
        await LoadChoicesAsync(conn, ct);
        Input = new RoundInput
        {
            Title = row.Title,
            DescriptionHtml = row.DescriptionHtml,
            OpensAt = RoundInput.ToLocalText(row.OpensAt, row.TimeZone),
            ClosesAt = RoundInput.ToLocalText(row.ClosesAt, row.TimeZone),
            TimeZone = row.TimeZone,
            CrimeAreas = (await conn.QueryAsync<string>(new CommandDefinition(
                "SELECT crime_area_code FROM round_crime_areas WHERE round_id = @id", new { id }, cancellationToken: ct))).ToList(),
            Organisations = (await conn.QueryAsync<long>(new CommandDefinition(
                "SELECT organisation_id FROM round_organisations WHERE round_id = @id", new { id }, cancellationToken: ct))).ToList(),
            CategoryWeights = RoundInput.WeightsToText(row.CategoryWeightsJson, OrganisationCategory.All),
            IndicatorWeights = RoundInput.WeightsToText(row.IndicatorWeightsJson, Indicators.All),
            DefaultGrading = row.DefaultGrading,
            MinOrganisations = (int)row.MinOrganisations,
            ReminderDaysBeforeClose = (int?)row.ReminderDaysBeforeClose,
        };
        CopyBase = DapperSetup.Format(row.UpdatedAt);
        ShowsStoredValues = true;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        Id = id;
        await using var conn = await db.OpenAsync(ct);
        var stored = await conn.QuerySingleOrDefaultAsync<StoredRow>(new CommandDefinition(StoredSql, new { id }, cancellationToken: ct));
        if (stored is null) return NotFound();
        await LoadChoicesAsync(conn, ct);
        // The page shows the refusal and keeps what was typed, read-only.
        if (RoundStatuses.IsEnded(stored.Status))
        {
            Locked = true;
            return Page();
        }
        // Someone saved (or opened the round) after this page was rendered: say so with everything typed kept, and
        // take the stored version as the new base, so saving again from this page deliberately replaces it.
        if (BaseSavedAt != stored.UpdatedAtStored) Stale(stored);
        OpeningFixed = stored.Status == "Open";
        // An open round keeps the moment it opened whatever time zone is chosen: a zone changed alone must not make
        // the unchanged opening field read as another moment.
        var round = Parse(OpeningFixed ? stored.OpensAt : null);
        if (round is null) return Page();

        var now = clock.GetUtcNow();
        if (OpeningFixed)
        {
            // An open round whose closing time is moved into the past would be closed by the next background pass, for good.
            if (round.ClosesAt <= now)
                ModelState.AddModelError("Input.ClosesAt", L["An open round cannot get a closing time in the past: it would close at once, for good. Choose a later time, or close the round with its button."]);
            else if (round.ClosesAt <= stored.OpensAt)
                ModelState.AddModelError("Input.ClosesAt", L["The closing time must be after the opening time."]);
            // An open round's opening time is history: it has taken answers since then. The field is read-only; a text
            // other than the stored moment as the page showed it (minutes, in the round's zone) or as it reads in the
            // chosen zone was typed past that, and is refused rather than ignored.
            var typed = (Input.OpensAt ?? "").Trim();
            if (typed != RoundInput.ToLocalText(stored.OpensAt, stored.TimeZone) && typed != RoundInput.ToLocalText(stored.OpensAt, round.TimeZone))
                ModelState.AddModelError("Input.OpensAt", L["The round opened on {0}: once a round is open, its opening time cannot change.",
                    $"{Formats.DateTime(stored.OpensAt, stored.TimeZone, CultureInfo.CurrentCulture)} ({stored.TimeZone})"]);
        }
        // An organisation that has answered stays invited: otherwise it loses its own response while the evidence
        // still counts its submitted answers.
        var answered = await conn.QueryAsync<AnsweredRow>(new CommandDefinition($"""
            SELECT DISTINCT o.id, o.name FROM organisations o
             WHERE EXISTS (SELECT 1 FROM round_organisations ro WHERE ro.round_id = @id AND ro.organisation_id = o.id)
               AND {AnsweredInRound("o.id")}
             ORDER BY o.name
            """, new { id }, cancellationToken: ct));
        // One message naming them all: a field shows only its first error.
        var kept = answered.Where(o => !round.Organisations.Contains(o.Id)).Select(o => o.Name).ToList();
        if (kept.Count > 0)
            ModelState.AddModelError("Input.Organisations", kept.Count == 1
                ? L["{0} has answered this round's questionnaires: keep it in the round.", kept[0]]
                : L["{0} have answered this round's questionnaires: keep them in the round.", string.Join(", ", kept)]);
        // A crime area a published questionnaire asks about stays in scope: its answers feed the evidence, and the
        // questionnaire could no longer be saved with bindings outside the round.
        var published = await conn.QueryAsync<(string Title, string BindingsJson)>(new CommandDefinition("""
            SELECT q.title, v.bindings_json FROM questionnaire_versions v JOIN questionnaires q ON q.id = v.questionnaire_id
             WHERE q.round_id = @id AND v.status = 'Published'
            """, new { id }, cancellationToken: ct));
        foreach (var (title, bindingsJson) in published)
        {
            List<Consultation.Core.Questionnaires.Binding>? bindings;
            try { bindings = System.Text.Json.JsonSerializer.Deserialize<List<Consultation.Core.Questionnaires.Binding>>(bindingsJson, Consultation.Core.Questionnaires.Binding.JsonOptions); }
            catch (System.Text.Json.JsonException) { continue; }
            foreach (var area in (bindings ?? []).Select(b => b.CrimeArea).OfType<string>().Distinct(StringComparer.Ordinal).Where(a => !round.CrimeAreas.Contains(a, StringComparer.Ordinal)))
                ModelState.AddModelError("Input.CrimeAreas", L["{0} is asked about by the published questionnaire “{1}”: keep it in the round.",
                    CrimeAreaChoices.FirstOrDefault(c => c.Code == area)?.Name ?? area, Consultation.Web.Api.ImportApi.DisplayTitle(L, title)]);
        }
        if (!ModelState.IsValid) return Page();
        await using var tx = await conn.BeginTransactionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE rounds SET title = @Title, description_html = @DescriptionHtml,
                   opens_at = CASE WHEN status = 'Open' THEN opens_at ELSE @OpensAt END, closes_at = @ClosesAt,
                   time_zone = @TimeZone, min_organisations = @MinOrganisations, default_grading = @DefaultGrading,
                   category_weights_json = @CategoryWeightsJson, indicator_weights_json = @IndicatorWeightsJson,
                   reminder_days_before_close = @ReminderDaysBeforeClose, updated_at = @now, updated_by = @UpdatedBy
             WHERE id = @id AND status IN ('Draft', 'Open') AND updated_at = @BaseSavedAt
            """, new
        {
            id, round.Title, round.DescriptionHtml, round.OpensAt, round.ClosesAt, round.TimeZone, round.MinOrganisations, round.DefaultGrading,
            round.CategoryWeightsJson, round.IndicatorWeightsJson, round.ReminderDaysBeforeClose, now, UpdatedBy = me.Id == 0 ? (long?)null : me.Id,
            BaseSavedAt = stored.UpdatedAtStored,
        }, tx, cancellationToken: ct));
        if (n == 0)
        {
            // Changed between the checks above and this write: ended, gone, or saved by someone else.
            await tx.RollbackAsync(ct);
            var current = await conn.QuerySingleOrDefaultAsync<StoredRow>(new CommandDefinition(StoredSql, new { id }, cancellationToken: ct));
            if (current is null) return NotFound();
            if (RoundStatuses.IsEnded(current.Status)) Locked = true;
            else
            {
                OpeningFixed = current.Status == "Open";
                Stale(current);
            }
            return Page();
        }
        await SaveScopeAsync(conn, tx, id, round, me.Id, now, ct);
        await audit.WriteAsync(AuditActions.RoundUpdated, $"round:{id}", round.Title, conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Round saved."];
        ForgetDeviceCopy();
        return RedirectToPage("./Details", new { id });
    }

    /// <summary>Names who saved meanwhile and when; the stored version becomes the base the next save replaces.</summary>
    private void Stale(StoredRow stored)
    {
        var when = $"{Formats.DateTime(stored.UpdatedAt, stored.TimeZone, CultureInfo.CurrentCulture)} ({stored.TimeZone})";
        ModelState.AddModelError("", stored.UpdatedByName is { } who
            ? L["{0} saved this round on {1} while you were editing it, so nothing was saved. The form still shows what you typed: save again to replace their version with yours.", who, when]
            : L["This round was changed on {0} while you were editing it, so nothing was saved. The form still shows what you typed: save again to replace that version with yours.", when]);
        ModelState.Remove(nameof(BaseSavedAt));
        BaseSavedAt = stored.UpdatedAtStored;
    }
}
