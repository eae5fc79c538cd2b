using System.ComponentModel.DataAnnotations;
using Consultation.Core.Organisations;
using Consultation.Core.Workshops;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Workshops;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Pages.Join;

/// <summary>
/// Joining a workshop on a phone: type the code (or scan it), give a display name and category — or sign in
/// when the workshop requires it — and take part. The participant cookie keeps identity and answers across
/// reloads. Unknown codes count towards a per-address limit (429), so codes cannot be guessed at speed.
/// </summary>
public sealed class IndexModel(Db db, CurrentUser me, JoinCodeGuard guard, IOptions<WorkshopsOptions> options, TimeProvider clock,
    IWebHostEnvironment env, IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty] public InputModel Input { get; set; } = new();
    [BindProperty(Name = "enteredCode")] public string? EnteredCode { get; set; }
    public WorkshopRow? Workshop { get; private set; }
    public ParticipantRow? Participant { get; private set; }
    public string? ErrorMessage { get; private set; }
    /// <summary>Set when this device took part in the workshop the code belonged to, and it has ended.</summary>
    public string? EndedMessage { get; private set; }
    public string TextJson { get; private set; } = "{}";

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter a display name."), StringLength(60, ErrorMessage = "At most 60 characters."), Display(Name = "Display name")]
        public string DisplayName { get; set; } = "";
        [Display(Name = "Category")] public string Category { get; set; } = OrganisationCategory.Ngo;
    }

    public static IReadOnlyList<string> Categories => OrganisationCategory.All;

    public async Task<IActionResult> OnGetAsync(string? code, CancellationToken ct)
    {
        if (code is null) return Page();
        if (await guard.IsBlockedAsync(HttpContext)) return TooMany();
        await using var conn = await db.OpenAsync(ct);
        if (!await FindAsync(conn, code, ct))
        {
            // A participant reloading after the end: their own workshop's code, not a wrong guess.
            if (await TookPartInClosedAsync(conn, code, ct))
            {
                EnteredCode = code;
                EndedMessage = L["The workshop has ended. Thank you for taking part."];
                return Page();
            }
            return await UnknownCodeAsync(code);
        }
        var hash = ParticipantCookie.TokenHash(Request, Workshop!.Id);
        if (hash is not null)
        {
            var p = await WorkshopsSql.ParticipantAsync(conn, hash, ct);
            if (p is not null && p.WorkshopId == Workshop.Id)
            {
                Participant = p;
                TextJson = WorkshopText.Json(L, await WorkshopsSql.CrimeAreasAsync(conn, Workshop.RoundId, ct));
            }
        }
        if (Participant is null && Workshop.AccessMode == "SignIn" && !me.IsAuthenticated) return Challenge();
        return Page();
    }

    /// <summary>The code form on <c>/join</c>.</summary>
    public async Task<IActionResult> OnPostFindAsync(CancellationToken ct)
    {
        if (await guard.IsBlockedAsync(HttpContext)) return TooMany();
        var code = JoinCodes.Normalize(EnteredCode);
        await using var conn = await db.OpenAsync(ct);
        if (!await FindAsync(conn, code, ct)) return await UnknownCodeAsync(EnteredCode ?? "");
        return Redirect("/join/" + Workshop!.JoinCode);
    }

    /// <summary>Becomes a participant: a display name and category, or the signed-in user's own.</summary>
    public async Task<IActionResult> OnPostEnterAsync(string? code, CancellationToken ct)
    {
        if (await guard.IsBlockedAsync(HttpContext)) return TooMany();
        await using var conn = await db.OpenAsync(ct);
        if (code is null || !await FindAsync(conn, code, ct)) return await UnknownCodeAsync(code ?? "");
        var workshop = Workshop!;
        long? userId = null, organisationId = null;
        string name, category;
        if (workshop.AccessMode == "SignIn")
        {
            if (!me.IsAuthenticated) return Challenge();
            userId = me.Id;
            organisationId = me.OrganisationId;
            name = me.DisplayName;
            category = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT category FROM organisations WHERE id = @organisationId", new { organisationId }, cancellationToken: ct)) ?? OrganisationCategory.Other;
        }
        else
        {
            ModelState.Remove(nameof(EnteredCode));
            if (!OrganisationCategory.All.Contains(Input.Category, StringComparer.Ordinal))
                ModelState.AddModelError("Input.Category", L["Choose a category."]);
            if (!ModelState.IsValid) return Page();
            name = Input.DisplayName.Trim();
            category = Input.Category;
        }

        var now = clock.GetUtcNow();
        var hash = ParticipantCookie.Issue(Response, workshop.Id, options.Value.ParticipantCookieDays, secure: !env.IsDevelopment());
        // A signed-in user who comes back on another device keeps their participant row (and answers): the new token replaces the old.
        var updated = userId is null ? 0 : await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE participants SET token_hash = @hash, last_seen = @now WHERE workshop_id = @Id AND user_id = @userId
            """, new { hash, now, workshop.Id, userId }, cancellationToken: ct));
        if (updated == 0)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO participants (workshop_id, token_hash, display_name, category, user_id, organisation_id, joined_at, last_seen)
                VALUES (@Id, @hash, @name, @category, @userId, @organisationId, @now, @now)
                """, new { workshop.Id, hash, name, category, userId, organisationId, now }, cancellationToken: ct));
        }
        return Redirect("/join/" + workshop.JoinCode);
    }

    private async Task<bool> FindAsync(System.Data.Common.DbConnection conn, string code, CancellationToken ct)
    {
        var normalized = JoinCodes.Normalize(code);
        Workshop = JoinCodes.IsWellFormed(normalized) ? await WorkshopsSql.ByJoinCodeAsync(conn, normalized, ct) : null;
        return Workshop is not null;
    }

    /// <summary>Whether this device's participant cookie belongs to a closed workshop that had <paramref name="code"/>.</summary>
    private async Task<bool> TookPartInClosedAsync(System.Data.Common.DbConnection conn, string code, CancellationToken ct)
    {
        var normalized = JoinCodes.Normalize(code);
        if (!JoinCodes.IsWellFormed(normalized)) return false;
        foreach (var id in await WorkshopsSql.ClosedByJoinCodeAsync(conn, normalized, ct))
        {
            if (ParticipantCookie.TokenHash(Request, id) is not { } hash) continue;
            if (await WorkshopsSql.ParticipantAsync(conn, hash, ct) is { } p && p.WorkshopId == id) return true;
        }
        return false;
    }

    private async Task<PageResult> UnknownCodeAsync(string code)
    {
        if (!await guard.RecordFailureAsync(HttpContext)) return TooMany();
        Workshop = null;
        EnteredCode = code;
        ErrorMessage = L["No open workshop has this code. Check the code and try again."];
        ModelState.Clear();
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    private PageResult TooMany()
    {
        Workshop = null;
        ErrorMessage = L["Too many wrong codes from your address. Please wait a minute and try again."];
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = "60";
        return Page();
    }
}
