using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Consultation.Core.Workshops;
using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Workshops;

/// <summary>
/// Who is connected to which workshop, and the coalescing broadcaster: scores and changes only mark a workshop
/// dirty; a timer flushes each dirty workshop at most once per interval, so hundreds of simultaneous scores
/// become a few results messages per second instead of one per score.
/// </summary>
public sealed class WorkshopLive(Db db, IHubContext<WorkshopHub> hub, WorkshopPresence presence, IOptions<WorkshopsOptions> options, ILogger<WorkshopLive> logger)
    : BackgroundService
{
    [Flags]
    private enum Dirty { None = 0, Results = 1, State = 2 }

    public enum Role { Participant, Screen, Control }

    private sealed record Connection(long WorkshopId, Role Role, long? ParticipantId);

    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Dirty> _dirty = new();
    /// <summary>Workshops whose participants on this instance changed since they were last published to <see cref="WorkshopPresence"/>.</summary>
    private readonly ConcurrentDictionary<long, bool> _presenceChanged = new();
    private long _presenceRenewedAt = Environment.TickCount64;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private DbConnection? _writerConnection;

    /// <summary>What scoring needs of a workshop's current exercise; null when nothing can be scored. Touched only under the writer lock.</summary>
    private readonly Dictionary<long, ExerciseFacts?> _scoring = [];
    private readonly Dictionary<long, long> _scoringExercise = [];

    /// <summary>
    /// Runs one workshop write at a time on one long-lived connection. SQLite admits one writer anyway;
    /// queueing here in order is far cheaper under a burst of scores than SQLite's busy handler, which sleeps
    /// and retries, and than opening a connection per score. With <paramref name="changesWorkshop"/> the
    /// cached scoring facts of that workshop are dropped inside the same lock, so no score can slip past a
    /// lock or a phase change that has just been committed.
    /// </summary>
    public async Task<T> WriteAsync<T>(long? changesWorkshop, Func<DbConnection, Task<T>> write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        await _writer.WaitAsync(ct);
        try
        {
            _writerConnection ??= await db.OpenAsync(CancellationToken.None);
            var result = await write(_writerConnection);
            if (changesWorkshop is { } w) _scoring.Remove(w);
            return result;
        }
        catch (DbException)
        {
            // A broken connection is replaced on the next write; the caller sees the failure.
            if (_writerConnection is not null) await _writerConnection.DisposeAsync();
            _writerConnection = null;
            if (changesWorkshop is { } w) _scoring.Remove(w);
            throw;
        }
        finally { _writer.Release(); }
    }

    public Task WriteAsync(Func<DbConnection, Task> write, CancellationToken ct) =>
        WriteAsync<bool>(null, async c => { await write(c); return true; }, ct);

    /// <summary>
    /// Checks and writes one score under the writer lock: the exercise must be the workshop's current one and
    /// open, the item its own and the value on the scale. Acknowledged (with a version) only after the write.
    /// The check runs against cached facts, and the write counts only while those facts still hold in the database
    /// (<see cref="WorkshopsSql.ClaimScoreVersionAsync"/>): another instance behind the same database may have locked
    /// the exercise or moved on a moment ago. Then the facts are read again and the score checked once more.
    /// </summary>
    public Task<AckDto> ScoreAsync(long workshopId, long participantId, long exerciseId, string? itemKey, int value, int? value2,
        DateTimeOffset now, CancellationToken ct) =>
        WriteAsync<AckDto>(null, async conn =>
        {
            for (var attempt = 0; ; attempt++)
            {
                if (!_scoring.TryGetValue(workshopId, out var facts))
                {
                    (facts, var current) = await LoadScoringAsync(conn, workshopId, ct);
                    _scoring[workshopId] = facts;
                    _scoringExercise[workshopId] = current;
                }
                if (facts is null || _scoringExercise[workshopId] != exerciseId) return AckDto.Refused(WorkshopRefusals.NotOpen);
                var decision = ScoreValidation.Check(facts, itemKey, value, value2);
                if (!decision.Allowed) return AckDto.Refused(decision.Refusal!);

                long? factorId = ItemKeys.TryFactor(itemKey!, out var f) ? f : null;
                await using var tx = await conn.BeginTransactionAsync(ct);
                var version = await WorkshopsSql.ClaimScoreVersionAsync(conn, tx, workshopId, exerciseId,
                    facts.State.ToString(), facts.Phase.ToString(), factorId, ct);
                if (version is { } v)
                {
                    await WorkshopsSql.UpsertScoreAsync(conn, tx, exerciseId, participantId, itemKey!, value, value2, now, ct);
                    await tx.CommitAsync(ct);
                    MarkResults(workshopId);
                    return new AckDto { Ok = true, Version = v };
                }
                await tx.RollbackAsync(ct);
                _scoring.Remove(workshopId);
                // The facts were read again inside this lock and still do not hold: the database moved on meanwhile.
                if (attempt > 0) return AckDto.Refused(WorkshopRefusals.NotOpen);
            }
        }, ct);

    private static async Task<(ExerciseFacts? Facts, long ExerciseId)> LoadScoringAsync(DbConnection conn, long workshopId, CancellationToken ct)
    {
        var workshop = await WorkshopsSql.WorkshopAsync(conn, workshopId, ct);
        if (workshop is not { Status: not "Closed", CurrentExerciseId: { } id }) return (null, 0);
        var exercise = await WorkshopsSql.ExerciseAsync(conn, workshopId, id, ct);
        if (exercise is null) return (null, 0);
        var areas = exercise.Type is ExerciseTypes.SocialTolerance or ExerciseTypes.Indicators ? await WorkshopsSql.CrimeAreasAsync(conn, exercise.RoundId, ct) : [];
        var factors = exercise.Type == ExerciseTypes.Pestle ? await WorkshopsSql.FactorsAsync(conn, exercise.Id, ct) : [];
        return (WorkshopsSql.Facts(exercise, areas, factors), exercise.Id);
    }

    public override void Dispose()
    {
        _writerConnection?.Dispose();
        _writer.Dispose();
        base.Dispose();
    }

    public static string All(long workshopId) => "w" + workshopId.ToString(CultureInfo.InvariantCulture);
    public static string Screens(long workshopId) => All(workshopId) + ":screen";
    public static string Controls(long workshopId) => All(workshopId) + ":control";

    public void Connected(string connectionId, long workshopId, Role role, long? participantId)
    {
        _connections[connectionId] = new Connection(workshopId, role, participantId);
        if (role == Role.Participant) ParticipantsChanged(workshopId);
    }

    public void Disconnected(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var c) && c.Role == Role.Participant) ParticipantsChanged(c.WorkshopId);
    }

    private void ParticipantsChanged(long workshopId)
    {
        _presenceChanged[workshopId] = true;
        MarkResults(workshopId);
    }

    /// <summary>Participants with at least one open connection to this instance (two tabs count once).</summary>
    private long[] LocalParticipants(long workshopId) =>
        [.. _connections.Values.Where(c => c.WorkshopId == workshopId && c.Role == Role.Participant && c.ParticipantId is not null)
            .Select(c => c.ParticipantId!.Value).Distinct()];

    /// <summary>Participants with at least one open connection to any instance (<see cref="WorkshopPresence"/>).</summary>
    public Task<int> ConnectedParticipantsAsync(long workshopId) => presence.CountAsync(workshopId, LocalParticipants(workshopId));

    /// <summary>
    /// Publishes this instance's participants where they changed, and renews all of them now and then so that
    /// they do not expire while nobody comes or goes. Runs before the flush, so the counts it sends are current.
    /// </summary>
    private async Task PublishPresenceAsync()
    {
        if (!presence.Shared) return;
        var renew = Environment.TickCount64 - _presenceRenewedAt >= (long)WorkshopPresence.RenewEvery.TotalMilliseconds;
        if (renew)
        {
            _presenceRenewedAt = Environment.TickCount64;
            foreach (var w in _connections.Values.Where(c => c.Role == Role.Participant).Select(c => c.WorkshopId).Distinct()) _presenceChanged[w] = true;
        }
        foreach (var workshopId in _presenceChanged.Keys)
        {
            if (_presenceChanged.TryRemove(workshopId, out _)) await presence.PublishAsync(workshopId, LocalParticipants(workshopId));
        }
    }

    public void MarkResults(long workshopId) => _dirty.AddOrUpdate(workshopId, Dirty.Results, (_, d) => d | Dirty.Results);

    /// <summary>The workshop's public state changed (exercise, phase, factors): everyone gets it, and the results.</summary>
    public void MarkState(long workshopId) => _dirty.AddOrUpdate(workshopId, Dirty.State | Dirty.Results, (_, d) => d | Dirty.State | Dirty.Results);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.BroadcastIntervalMs));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PublishPresenceAsync();
                foreach (var workshopId in _dirty.Keys)
                {
                    if (!_dirty.TryRemove(workshopId, out var dirty)) continue;
                    try
                    {
                        await FlushAsync(workshopId, dirty, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // One failing workshop must not stop the others; the next change marks it again.
                        logger.LogError(ex, "Broadcasting workshop {WorkshopId} failed", workshopId);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task FlushAsync(long workshopId, Dirty dirty, CancellationToken ct)
    {
        await using var conn = await db.OpenAsync(ct);
        var workshop = await WorkshopsSql.WorkshopAsync(conn, workshopId, ct);
        if (workshop is null) return;
        if (dirty.HasFlag(Dirty.State))
            await hub.Clients.Group(All(workshopId)).SendAsync("state", await StateAsync(conn, workshop, ct), ct);
        if (dirty.HasFlag(Dirty.Results))
        {
            var results = await ResultsAsync(conn, workshop, ct);
            await hub.Clients.Group(Controls(workshopId)).SendAsync("results", results, ct);
            await hub.Clients.Group(Screens(workshopId)).SendAsync("results", ForScreen(results), ct);
        }
    }

    /// <summary>The screen shows results only when the facilitator has not hidden them, or has revealed them.</summary>
    public static ResultsDto ForScreen(ResultsDto results) => results.Hidden ? results with { Result = null } : results;

    public static async Task<WorkshopStateDto> StateAsync(DbConnection conn, WorkshopRow workshop, CancellationToken ct)
    {
        var exercises = await WorkshopsSql.ExercisesAsync(conn, workshop.Id, ct);
        var current = exercises.FirstOrDefault(e => e.Id == workshop.CurrentExerciseId);
        ExerciseDto? dto = null;
        if (current is not null && workshop.Status != "Closed")
        {
            var areas = await WorkshopsSql.CrimeAreasAsync(conn, workshop.RoundId, ct);
            var factors = current.Type == ExerciseTypes.Pestle ? await WorkshopsSql.FactorsAsync(conn, current.Id, ct) : [];
            var facts = WorkshopsSql.Facts(current, areas, factors);
            var poll = current.Poll;
            dto = new ExerciseDto
            {
                Id = current.Id, Position = current.Position, Type = current.Type, Title = current.Title,
                State = current.State, Phase = current.Phase, ResultsHidden = current.ResultsHidden,
                Question = poll.Question, Choices = current.Type == ExerciseTypes.Poll ? poll.Choices : [],
                Items = ItemKeys.For(facts),
                Factors = [.. factors.Where(f => !f.Deleted && f.MergedInto is null).Select(f => new FactorDto { Id = f.Id, Dimension = f.Dimension, Text = f.Text })],
            };
        }
        return new WorkshopStateDto { WorkshopId = workshop.Id, Title = workshop.Title, Status = workshop.Status, ExerciseCount = exercises.Count, Exercise = dto };
    }

    public async Task<ResultsDto> ResultsAsync(DbConnection conn, WorkshopRow workshop, CancellationToken ct)
    {
        var connected = await ConnectedParticipantsAsync(workshop.Id);
        var exercise = workshop.CurrentExerciseId is { } id ? await WorkshopsSql.ExerciseAsync(conn, workshop.Id, id, ct) : null;
        if (exercise is null) return new ResultsDto { WorkshopId = workshop.Id, Connected = connected };
        // The version was read (with the exercise) before the scores: everything acknowledged up to it is already
        // committed, whichever instance acknowledged it.
        var version = exercise.ScoreVersion;
        var areas = await WorkshopsSql.CrimeAreasAsync(conn, workshop.RoundId, ct);
        var factors = exercise.Type == ExerciseTypes.Pestle ? await WorkshopsSql.FactorsAsync(conn, exercise.Id, ct) : [];
        var scores = await WorkshopsSql.ScoresAsync(conn, exercise.Id, ct);
        var settings = await WorkshopsSql.SettingsAsync(conn, workshop.RoundId, ct);
        var result = LiveResults.Compute(workshop.Id, WorkshopsSql.Facts(exercise, areas, factors), scores, WorkshopsSql.LiveFactors(factors), settings);
        return new ResultsDto
        {
            WorkshopId = workshop.Id, ExerciseId = exercise.Id, Version = version,
            Hidden = exercise.ResultsHidden && exercise.StateValue is not (ExerciseState.Revealed or ExerciseState.Done),
            Connected = connected, Answered = result.Answered, Result = result,
        };
    }
}
