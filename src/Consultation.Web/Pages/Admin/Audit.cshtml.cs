using Dapper;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Admin;

/// <summary>
/// The audit log, newest first, <see cref="PageSize"/> entries a page: filtered by action, by the actor's e-mail
/// and by text in the target or details (both "contains", any case, <c>%</c> and <c>_</c> taken literally), and by
/// UTC days; "Older entries" continues below the last entry shown (by id, so new entries do not shift the pages).
/// Actions are shown by their label in the reader's language, with the stored code beside it.
/// </summary>
public sealed class AuditModel(Db db, IStringLocalizer<SharedResource> L) : PageModel
{
    public const int PageSize = 200;

    /// <summary>
    /// The resource key of an action's label, e.g. <c>AuditAction.round.created</c>: every code in a class whose name
    /// ends with "Audit" or "AuditActions" has one (ResourceFilesTests).
    /// </summary>
    public static string LabelKey(string action) => "AuditAction." + action;

    /// <summary>The action's label in the reader's language; a code without one (entries of older versions) is shown as stored.</summary>
    public string ActionLabel(string action) => L[LabelKey(action)] is { ResourceNotFound: false } label ? label.Value : action;

    [BindProperty(SupportsGet = true)] public string? Action { get; set; }
    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];
    /// <summary>The actions of the filter's list: those in the log, by label.</summary>
    public IReadOnlyList<(string Code, string Label)> Actions { get; private set; } = [];
    /// <summary>The id below which the next page starts, when there are older entries.</summary>
    public long? OlderBefore { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        // Unparsable dates or ids are ignored like empty ones (the fields keep what was typed where the browser allows).
        ModelState.Clear();
        await using var conn = await db.OpenAsync(ct);
        Actions = [.. (await conn.QueryAsync<string>(new CommandDefinition("SELECT DISTINCT action FROM audit_log", cancellationToken: ct)))
            .Select(code => (Code: code, Label: ActionLabel(code)))
            .OrderBy(a => a.Label, StringComparer.Create(System.Globalization.CultureInfo.CurrentCulture, ignoreCase: true))
            .ThenBy(a => a.Code, StringComparer.Ordinal)];
        var rows = (await conn.QueryAsync<AuditEntry>(new CommandDefinition($"""
            SELECT id, occurred_at, actor_user_id, actor_email, action, target, details, ip FROM audit_log
             WHERE (@Action IS NULL OR action = @Action)
               AND (@Actor IS NULL OR lower(COALESCE(actor_email, '')) LIKE @Actor ESCAPE '\')
               AND (@Q IS NULL OR lower(COALESCE(target, '')) LIKE @Q ESCAPE '\' OR lower(COALESCE(details, '')) LIKE @Q ESCAPE '\')
               AND (@FromAt IS NULL OR occurred_at >= @FromAt)
               AND (@ToAt IS NULL OR occurred_at < @ToAt)
               AND (@Before IS NULL OR id < @Before)
             ORDER BY id DESC LIMIT {PageSize + 1}
            """, new
        {
            Action = Blank(Action),
            Actor = SqlLike.Contains(Actor),
            Q = SqlLike.Contains(Q),
            // As stored: round-trip UTC text, which sorts as time (DapperSetup).
            FromAt = From is { } f ? DapperSetup.Format(new DateTimeOffset(f.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : null,
            // The last day has no next day: "to" the last date there is means no upper bound (and not a 500).
            ToAt = To is { } t && t < DateOnly.MaxValue ? DapperSetup.Format(new DateTimeOffset(t.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) : null,
            Before,
        }, cancellationToken: ct))).ToList();
        if (rows.Count > PageSize)
        {
            rows.RemoveAt(PageSize);
            OlderBefore = rows[^1].Id;
        }
        Entries = rows;
    }

    /// <summary>The query of the next page: these filters, below <paramref name="before"/>.</summary>
    public Dictionary<string, string?> Route(long before) => new()
    {
        ["action"] = Blank(Action), ["actor"] = Blank(Actor), ["q"] = Blank(Q),
        ["from"] = From?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["to"] = To?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["before"] = before.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
