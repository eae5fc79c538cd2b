using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using Consultation.Core.Workshops;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Consultation.Web.Workshops;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Pages.Workshops;

/// <summary>A new workshop in a round: its date, who may join, and the agenda of exercises in order.</summary>
public sealed class CreateModel(Db db, CurrentUser me, AuditLog audit, TimeProvider clock, IStringLocalizer<SharedResource> L) : PageModel
{
    public const int AgendaRows = 6;

    [BindProperty] public InputModel Input { get; set; } = new();
    [TempData] public string? StatusMessage { get; set; }
    public IReadOnlyList<RoundChoice> Rounds { get; private set; } = [];

    public sealed record RoundChoice
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
    }

    public sealed class InputModel
    {
        [Display(Name = "Round")] public long RoundId { get; set; }
        [Required(ErrorMessage = "Enter a title."), StringLength(200), Display(Name = "Title")]
        [Infrastructure.SingleLine(ErrorMessage = "The title must be a single line without control characters.")]
        public string Title { get; set; } = "";
        [Required(ErrorMessage = "Enter the date."), Display(Name = "Date")] public DateOnly? ScheduledOn { get; set; }
        [Display(Name = "Who may join")] public string AccessMode { get; set; } = "Pseudonymous";
        public List<AgendaItem> Agenda { get; set; } = [];
    }

    public sealed class AgendaItem
    {
        public string? Type { get; set; }
        [StringLength(200)]
        [Infrastructure.SingleLine(ErrorMessage = "The title must be a single line without control characters.")]
        public string? Title { get; set; }
        [StringLength(500)]
        [Infrastructure.SingleLine(ErrorMessage = "The question must be a single line without control characters.")]
        public string? Question { get; set; }
        [StringLength(2000)]
        [Infrastructure.SingleLine(AllowLineBreaks = true, ErrorMessage = "Choices go one per line, without other control characters.")]
        public string? Choices { get; set; }
        public bool HideResults { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadRoundsAsync(ct);
        Input.ScheduledOn = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        Input.Agenda = [new() { Type = ExerciseTypes.Pestle }, new() { Type = ExerciseTypes.SocialTolerance }];
        Pad();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadRoundsAsync(ct);
        Pad();
        if (!Rounds.Any(r => r.Id == Input.RoundId)) ModelState.AddModelError("Input.RoundId", L["Choose a round."]);
        if (Input.AccessMode is not ("Pseudonymous" or "SignIn")) ModelState.AddModelError("Input.AccessMode", L["Choose who may join."]);
        var agenda = Input.Agenda.Select((a, i) => (Item: a, Index: i)).Where(a => !string.IsNullOrEmpty(a.Item.Type)).ToList();
        if (agenda.Count == 0) ModelState.AddModelError("Input.Agenda", L["Add at least one exercise."]);
        foreach (var (item, i) in agenda)
        {
            if (!ExerciseTypes.IsKnown(item.Type)) ModelState.AddModelError($"Input.Agenda[{i}].Type", L["Choose an exercise type."]);
            else if (item.Type == ExerciseTypes.Poll && string.IsNullOrWhiteSpace(item.Question))
                ModelState.AddModelError($"Input.Agenda[{i}].Question", L["A poll needs a question."]);
            else if (item.Type == ExerciseTypes.Poll && Choices(item).Count == 1)
                ModelState.AddModelError($"Input.Agenda[{i}].Choices", L["A choice poll needs at least two choices; leave it empty for a 1–5 scale."]);
            else if (item.Type == ExerciseTypes.Poll && Choices(item).Count > MaxChoices)
                ModelState.AddModelError($"Input.Agenda[{i}].Choices", L["A poll offers at most {0} choices; this one has {1}.", MaxChoices, Choices(item).Count]);
        }
        if (!ModelState.IsValid) return Page();

        var now = clock.GetUtcNow();
        await using var conn = await db.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        long id = 0;
        for (var attempt = 0; id == 0; attempt++)
        {
            var code = JoinCodes.Generate(RandomNumberGenerator.GetInt32);
            // A code collision with another workshop is rare; try again rather than fail.
            id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
                INSERT INTO workshops (round_id, title, scheduled_on, join_code, access_mode, facilitator_user_id, created_at, updated_at)
                VALUES (@RoundId, @Title, @ScheduledOn, @code, @AccessMode, @Me, @now, @now)
                ON CONFLICT (join_code) DO NOTHING RETURNING id
                """, new
            {
                Input.RoundId, Title = Input.Title.Trim(), ScheduledOn = Input.ScheduledOn!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                code, Input.AccessMode, Me = me.Id, now,
            }, tx, cancellationToken: ct)) ?? 0;
            if (attempt > 20) throw new InvalidOperationException("No free join code.");
        }
        var position = 0;
        foreach (var (item, _) in agenda)
        {
            var config = item.Type == ExerciseTypes.Poll ? new PollConfig { Question = item.Question!.Trim(), Choices = Choices(item) }.ToJson() : "{}";
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO exercises (workshop_id, position, type, title, config_json, results_hidden, updated_at)
                VALUES (@id, @Position, @Type, @Title, @config, @HideResults, @now)
                """, new { id, Position = ++position, item.Type, Title = item.Title?.Trim() ?? "", config, item.HideResults, now }, tx, cancellationToken: ct));
        }
        await audit.WriteAsync(WorkshopAudit.Created, $"workshop:{id}", Input.Title, conn, tx, ct: ct);
        await tx.CommitAsync(ct);
        StatusMessage = L["Workshop created."];
        return RedirectToPage("./Control", new { id });
    }

    /// <summary>What a phone shows in one go.</summary>
    public const int MaxChoices = 10;

    private static List<string> Choices(AgendaItem item) =>
        [.. (item.Choices ?? "").Split('\n').Select(c => c.Trim()).Where(c => c.Length > 0)];

    private void Pad()
    {
        while (Input.Agenda.Count < AgendaRows) Input.Agenda.Add(new AgendaItem());
    }

    private async Task LoadRoundsAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        Rounds = [.. await conn.QueryAsync<RoundChoice>(new CommandDefinition("""
            SELECT id, title FROM rounds WHERE status IN ('Draft', 'Open') ORDER BY id DESC
            """, cancellationToken: ct))];
    }
}
