using Dapper;
using Consultation.Core.Organisations;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Consultation.Web.Pages.Organisations;

/// <summary>The organisations, filtered by text in the name (any case; <c>%</c> and <c>_</c> taken literally), category and country.</summary>
public sealed class IndexModel(Db db) : PageModel
{
    [TempData] public string? StatusMessage { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Category { get; set; }
    [BindProperty(SupportsGet = true)] public string? Country { get; set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyList<string> Countries { get; private set; } = [];
    public bool Filtered => !string.IsNullOrWhiteSpace(Q) || !string.IsNullOrEmpty(Category) || !string.IsNullOrEmpty(Country);

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
        Countries = [.. await conn.QueryAsync<string>(new CommandDefinition("SELECT DISTINCT country FROM organisations ORDER BY country", cancellationToken: ct))];
        // An unknown category or country is no filter (as elsewhere), not an error.
        var category = OrganisationCategory.All.Contains(Category ?? "", StringComparer.Ordinal) ? Category : null;
        var country = Countries.Contains(Country ?? "", StringComparer.Ordinal) ? Country : null;
        var text = SqlLike.Contains(Q);
        Rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT o.id, o.name, o.category, o.country,
                   (SELECT COUNT(*) FROM users u WHERE u.organisation_id = o.id AND u.password_hash IS NOT NULL) AS members
              FROM organisations o
             WHERE (@text IS NULL OR lower(o.name) LIKE @text ESCAPE '\')
               AND (@category IS NULL OR o.category = @category)
               AND (@country IS NULL OR o.country = @country)
             ORDER BY o.name
            """, new { text, category, country }, cancellationToken: ct))).ToList();
    }
}
