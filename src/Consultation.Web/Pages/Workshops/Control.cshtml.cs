using System.Data.Common;
using Consultation.Core.Workshops;
using Consultation.Web.Infrastructure;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Workshops;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Workshops;

/// <summary>
/// The facilitator's control page. Every action is a form (works without script) on the workshop's current
/// exercise; the page's script adds live counts and results, and reloads when the room adds factors.
/// </summary>
public sealed class ControlModel(Db db, CurrentUser me, WorkshopLive live, AuditLog audit, TimeProvider clock, PublicLinks links, IStringLocalizer<SharedResource> L) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    [TempData] public string? ErrorMessage { get; set; }
    public WorkshopRow Workshop { get; private set; } = new();
    public IReadOnlyList<ExerciseRow> Exercises { get; private set; } = [];
    public ExerciseRow? Current { get; private set; }
    public IReadOnlyList<FactorRow> Factors { get; private set; } = [];
    public long Participants { get; private set; }
    public string JoinUrl { get; private set; } = "";
    public string TextJson { get; private set; } = "{}";

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        return await LoadAsync(conn, id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostActAsync(long id, string command, long? from, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var workshop = await WorkshopsSql.ControllableAsync(conn, id, me.Id, me.CanManageOrganisations, ct);
        if (workshop is null) return NotFound();
        var refusal = await live.WriteAsync(id, c => WorkshopCommands.ActAsync(c, workshop, command ?? "", clock.GetUtcNow(), ct, from), ct);
        if (refusal is not null)
        {
            ErrorMessage = WorkshopText.Refusal(L, refusal);
            return RedirectToPage(new { id });
        }
        await audit.WriteAsync(WorkshopAudit.Acted, $"workshop:{id}", command, conn, ct: ct);
        live.MarkState(id);
        return RedirectToPage(new { id });
    }

    public Task<IActionResult> OnPostEditFactorAsync(long id, long factorId, string dimension, string text, CancellationToken ct) =>
        FactorAsync(id, (conn, now) => WorkshopCommands.EditFactorAsync(conn, id, factorId, dimension ?? "", text ?? "", now, ct), $"edit {factorId}", ct);

    public Task<IActionResult> OnPostMergeFactorAsync(long id, long factorId, long intoId, CancellationToken ct) =>
        FactorAsync(id, (conn, now) => WorkshopCommands.MergeFactorAsync(conn, id, factorId, intoId, now, ct), $"merge {factorId} into {intoId}", ct);

    public Task<IActionResult> OnPostDeleteFactorAsync(long id, long factorId, CancellationToken ct) =>
        FactorAsync(id, (conn, now) => WorkshopCommands.DeleteFactorAsync(conn, id, factorId, now, ct), $"delete {factorId}", ct);

    private async Task<IActionResult> FactorAsync(long id, Func<DbConnection, DateTimeOffset, Task<bool>> change, string what, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        if (await WorkshopsSql.ControllableAsync(conn, id, me.Id, me.CanManageOrganisations, ct) is null) return NotFound();
        if (!await live.WriteAsync(id, c => change(c, clock.GetUtcNow()), ct))
        {
            ErrorMessage = L["That factor could not be changed: check the text (at most 200 characters) and try again."];
            return RedirectToPage(new { id });
        }
        await audit.WriteAsync(WorkshopAudit.FactorChanged, $"workshop:{id}", what, conn, ct: ct);
        live.MarkState(id);
        StatusMessage = L["Factor updated."];
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(DbConnection conn, long id, CancellationToken ct)
    {
        var workshop = await WorkshopsSql.ControllableAsync(conn, id, me.Id, me.CanManageOrganisations, ct);
        if (workshop is null) return false;
        Workshop = workshop;
        Exercises = await WorkshopsSql.ExercisesAsync(conn, id, ct);
        Current = Exercises.FirstOrDefault(e => e.Id == workshop.CurrentExerciseId);
        if (Current?.Type == ExerciseTypes.Pestle) Factors = await WorkshopsSql.FactorsAsync(conn, Current.Id, ct);
        Participants = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM participants WHERE workshop_id = @id", new { id }, cancellationToken: ct));
        JoinUrl = links.Absolute(Request, $"{Request.PathBase}/join/{workshop.JoinCode}");
        TextJson = WorkshopText.Json(L, await WorkshopsSql.CrimeAreasAsync(conn, workshop.RoundId, ct));
        return true;
    }
}
