using Consultation.Core.Rounds;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Rounds;

public sealed class RemindersOptions
{
    public const string Section = "Reminders";

    /// <summary>How often the background pass looks for rounds whose automatic reminder is due.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 86400)]
    public int IntervalSeconds { get; set; } = 300;

    /// <summary>
    /// The portal's public address (e.g. <c>https://consultation.ministry.example</c>) for links in automatic
    /// reminders, which have no request to take it from. Empty: the mail tells people to sign in instead.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Url]
    public string? PublicBaseUrl { get; set; }
}

/// <summary>
/// Sends the automatic reminder of each open round N days before it closes (issue 3; the round's
/// <c>reminder_days_before_close</c>) to the organisations that have not submitted. Runs like
/// <see cref="RoundAutoCloser"/>: a periodic pass on <see cref="TimeProvider"/>; the once-per-schedule
/// guarantee comes from <see cref="RoundMailer"/>'s claim in <c>reminders_sent</c>, not from this process's memory.
/// </summary>
public sealed class ReminderService(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<RemindersOptions> options, ILogger<ReminderService> logger,
    JobLease? lease = null) : LeasedPeriodicJob(clock, logger, lease)
{
    /// <summary>The job's lease (<see cref="JobLease"/>): one instance at a time runs it.</summary>
    public const string LeaseName = "rounds.reminders";

    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.IntervalSeconds);

    protected override string JobName => LeaseName;

    protected override Task RunPassAsync(CancellationToken ct) => RunOnceAsync(ct);

    private sealed record OpenRound
    {
        public long Id { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public long? ReminderDaysBeforeClose { get; init; }
    }

    /// <summary>One pass at the clock's current time; returns the rounds whose reminder reached someone now.</summary>
    public async Task<IReadOnlyList<long>> RunOnceAsync(CancellationToken ct = default)
    {
        var now = Clock.GetUtcNow();
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        var mailer = scope.ServiceProvider.GetRequiredService<RoundMailer>();
        List<OpenRound> rounds;
        await using (var conn = await db.OpenAsync(ct))
            rounds = (await conn.QueryAsync<OpenRound>(new CommandDefinition("""
                SELECT id, closes_at, reminder_days_before_close FROM rounds
                 WHERE status = 'Open' AND reminder_days_before_close IS NOT NULL AND closes_at > @now
                 ORDER BY closes_at
                """, new { now }, cancellationToken: ct))).ToList();

        var reminded = new List<long>();
        var respondUrl = scope.ServiceProvider.GetRequiredService<Infrastructure.PublicLinks>().Absolute("/Respond");
        foreach (var round in rounds)
        {
            var key = ReminderSchedule.DueKey(RoundStatus.Open, round.ClosesAt, (int?)round.ReminderDaysBeforeClose, now);
            if (key is null) continue;
            var outcome = await mailer.SendAsync(round.Id, RoundMailer.Kind.Reminder, key, respondUrl, RoundAutoCloser.SystemActor, ct);
            if (outcome is { Organisations: > 0 })
            {
                Logger.LogInformation("Automatic reminder of round {RoundId} sent to {Count} organisations", round.Id, outcome.Organisations);
                reminded.Add(round.Id);
            }
        }
        return reminded;
    }
}
