using System.Globalization;
using Consultation.Core.Localization;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Rounds;

public sealed class CreateModel(Db db, CurrentUser me, AuditLog audit, RichText richText, TimeProvider clock, IStringLocalizer<SharedResource> localizer)
    : RoundForm(richText, localizer)
{
    [TempData] public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await LoadChoicesAsync(conn, ct);
        // A sensible start: tomorrow 09:00 to 17:00 a month later, in the coordinator's time zone, every crime area.
        Input.TimeZone = me.TimeZone;
        var today = Formats.InZone(clock.GetUtcNow(), Input.TimeZone).Date;
        Input.OpensAt = today.AddDays(1).AddHours(9).ToString(RoundInput.LocalFormat, CultureInfo.InvariantCulture);
        Input.ClosesAt = today.AddDays(31).AddHours(17).ToString(RoundInput.LocalFormat, CultureInfo.InvariantCulture);
        Input.CrimeAreas = CrimeAreaChoices.Where(a => a.Active).Select(a => a.Code).ToList();
        ShowsStoredValues = true;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        await LoadChoicesAsync(conn, ct);
        var round = Parse();
        if (round is null) return Page();

        var now = clock.GetUtcNow();
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO rounds (title, description_html, opens_at, closes_at, time_zone, status, min_organisations, default_grading,
                                category_weights_json, indicator_weights_json, reminder_days_before_close, created_by, created_at, updated_at)
            VALUES (@Title, @DescriptionHtml, @OpensAt, @ClosesAt, @TimeZone, 'Draft', @MinOrganisations, @DefaultGrading,
                    @CategoryWeightsJson, @IndicatorWeightsJson, @ReminderDaysBeforeClose, @CreatedBy, @now, @now)
            RETURNING id
            """, new
        {
            round.Title, round.DescriptionHtml, round.OpensAt, round.ClosesAt, round.TimeZone, round.MinOrganisations, round.DefaultGrading,
            round.CategoryWeightsJson, round.IndicatorWeightsJson, round.ReminderDaysBeforeClose, CreatedBy = me.Id, now,
        }, tx, cancellationToken: ct));
        await SaveScopeAsync(conn, tx, id, round, me.Id, now, ct);
        await audit.WriteAsync(AuditActions.RoundCreated, $"round:{id}", round.Title, conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Round created."];
        ForgetDeviceCopy();
        return RedirectToPage("./Details", new { id });
    }
}
