using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Rounds;

public sealed class IndexModel(Db db) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public sealed record Row
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTimeOffset OpensAt { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public string TimeZone { get; init; } = "";
        public long Questionnaires { get; init; }
        public long Organisations { get; init; }
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        Rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT r.id, r.title, r.status, r.opens_at, r.closes_at, r.time_zone,
                   (SELECT COUNT(*) FROM questionnaires q WHERE q.round_id = r.id
                       AND COALESCE(q.template, '') <> 'IMPORT') AS questionnaires, -- not the API's hidden import holder (Api/ImportApi.cs)
                   (SELECT COUNT(*) FROM round_organisations ro WHERE ro.round_id = r.id) AS organisations
              FROM rounds r
             ORDER BY CASE r.status WHEN 'Open' THEN 0 WHEN 'Draft' THEN 1 WHEN 'Closed' THEN 2 ELSE 3 END, r.closes_at DESC
            """, cancellationToken: ct))).ToList();
    }
}
