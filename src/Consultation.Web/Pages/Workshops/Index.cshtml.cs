using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Workshops;

/// <summary>A facilitator's workshops; coordinators see every workshop.</summary>
public sealed class IndexModel(Db db, CurrentUser me) : PageModel
{
    [Microsoft.AspNetCore.Mvc.TempData] public string? StatusMessage { get; set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public sealed record Row
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string RoundTitle { get; init; } = "";
        public string ScheduledOn { get; init; } = "";
        public string Status { get; init; } = "";
        public string JoinCode { get; init; } = "";
        public long Exercises { get; init; }
        public long Participants { get; init; }
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        Rows = [.. await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT w.id, w.title, r.title AS round_title, w.scheduled_on, w.status, w.join_code,
                   (SELECT COUNT(*) FROM exercises e WHERE e.workshop_id = w.id) AS exercises,
                   (SELECT COUNT(*) FROM participants p WHERE p.workshop_id = w.id) AS participants
              FROM workshops w JOIN rounds r ON r.id = w.round_id
             WHERE w.facilitator_user_id = @Id OR @All = 1
             ORDER BY w.scheduled_on DESC, w.id DESC
            """, new { me.Id, All = me.CanManageOrganisations }, cancellationToken: ct))];
    }
}
