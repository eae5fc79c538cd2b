using System.ComponentModel.DataAnnotations;
using Consultation.Web.Api;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Admin;

/// <summary>
/// API tokens for the ministry's analysis tools: administrators create them (name, scopes, expiry; the token is
/// shown once, on the page that answers the creation), see when each was last used, and revoke them. Audited.
/// </summary>
public sealed class TokensModel(Db db, CurrentUser me, AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    /// <summary>The new token, shown once on the answer to its creation; never stored, never redirected through.</summary>
    public string? NewToken { get; private set; }
    public string? NewTokenName { get; private set; }
    public DateTimeOffset Now { get; private set; }

    public static IReadOnlyList<int> ExpiryChoices { get; } = [7, 30, 90, 180, 365];

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter a name for the token."), StringLength(ApiTokens.MaxNameLength, ErrorMessage = "The name can be at most 100 characters.")]
        [Infrastructure.SingleLine(ErrorMessage = "The name must be a single line without control characters.")]
        public string Name { get; set; } = "";

        public List<string> Scopes { get; set; } = [];

        [Range(1, ApiTokens.MaxDays, ErrorMessage = "Choose how many days the token works.")]
        public int Days { get; set; } = ApiTokens.DefaultDays;
    }

    public sealed record Row
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string TokenStart { get; init; } = "";
        public string Scopes { get; init; } = "";
        public string? CreatedByEmail { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
        public DateTimeOffset? LastUsedAt { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
    }

    /// <summary>English description of a scope (the localization key).</summary>
    public static string ScopeDescription(string scope) => scope switch
    {
        ApiScopes.EvidenceRead => "Read rounds and evidence, take snapshots",
        ApiScopes.ResponsesImport => "Import responses collected offline",
        ApiScopes.RoundsWrite => "Create rounds and organisations",
        ApiScopes.Admin => "Everything the API offers",
        _ => scope,
    };

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var scopes = ApiScopes.All.Where(s => Input.Scopes.Contains(s, StringComparer.Ordinal)).ToList();
        if (scopes.Count == 0 || Input.Scopes.Any(s => !ApiScopes.IsKnown(s)))
            ModelState.AddModelError("Input.Scopes", L["Choose at least one scope."]);
        if (!ModelState.IsValid)
        {
            await LoadAsync(ct);
            return Page();
        }
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var created = await ApiTokens.CreateAsync(conn, tx, audit, Input.Name.Trim(), scopes, me.Id, null, clock.GetUtcNow(), Input.Days, ct);
        await tx.CommitAsync(ct);
        NewToken = created.Token;
        NewTokenName = Input.Name.Trim();
        // The secret must not survive in the page's form or in any cache.
        Response.Headers.CacheControl = "no-store";
        Input = new InputModel();
        ModelState.Clear();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var name = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            UPDATE api_tokens SET revoked_at = @now, revoked_by = @Me WHERE id = @id AND revoked_at IS NULL RETURNING name
            """, new { id, now, Me = me.Id }, tx, cancellationToken: ct));
        if (name is null)
        {
            // Revoked meanwhile (another tab or administrator), or no such token.
            var exists = await conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM api_tokens WHERE id = @id", new { id }, tx, cancellationToken: ct));
            if (exists == 0) return NotFound();
            StatusMessage = L["That token was already revoked."];
            return RedirectToPage();
        }
        await audit.WriteAsync(ApiAuditActions.TokenRevoked, $"api_token:{id}", name, conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Token {0} revoked: it no longer works.", name];
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        Rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
            SELECT t.id, t.name, t.token_start, t.scopes, u.email AS created_by_email, t.created_at, t.expires_at, t.last_used_at, t.revoked_at
              FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by
             ORDER BY t.revoked_at IS NOT NULL, t.created_at DESC, t.id DESC
            """, cancellationToken: ct))).ToList();
    }
}
