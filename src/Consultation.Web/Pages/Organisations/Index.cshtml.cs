using Dapper;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Organisations;

public sealed class IndexModel(Db db) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];

    public sealed record Row
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Category { get; init; } = "";
        public string Country { get; init; } = "";
        public long Members { get; init; }
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        Rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT o.id, o.name, o.category, o.country,
                   (SELECT COUNT(*) FROM users u WHERE u.organisation_id = o.id AND u.password_hash IS NOT NULL) AS members
              FROM organisations o ORDER BY o.name
            """, cancellationToken: ct))).ToList();
    }
}
