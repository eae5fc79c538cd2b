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
public sealed class WorkshopLive(Db db, IHubContext<WorkshopHub> hub, IOptions<WorkshopsOptions> options, ILogger<WorkshopLive> logger)
    : BackgroundService
{
    [Flags]
    private enum Dirty { None = 0, Results = 1, State = 2 }

    public enum Role { Participant, Screen, Control }

    private sealed record Connection(long WorkshopId, Role Role, long? ParticipantId);

    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Dirty> _dirty = new();
    private readonly ConcurrentDictionary<long, long> _versions = new();
    private readonly SemaphoreSlim _writer = new(1, 1);

    /// <summary>
    /// Runs one workshop write at a time. SQLite admits one writer anyway; queueing here in order is much
    /// cheaper under a burst of scores than SQLite's busy handler, which sleeps and retries.
    /// </summary>
    public async Task WriteAsync(Func<Task> write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(write);
        await _writer.WaitAsync(ct);
        try { await write(); }
        finally { _writer.Release(); }
    }

    public override void Dispose()
    {
        _writer.Dispose();
        base.Dispose();
    }

    public static string All(long workshopId) => "w" + workshopId.ToString(CultureInfo.InvariantCulture);
    public static string Screens(long workshopId) => All(workshopId) + ":screen";
    public static string Controls(long workshopId) => All(workshopId) + ":control";

    public void Connected(string connectionId, long workshopId, Role role, long? participantId)
    {
        _connections[connectionId] = new Connection(workshopId, role, participantId);
        if (role == Role.Participant) MarkResults(workshopId);
    }

    public void Disconnected(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var c) && c.Role == Role.Participant) MarkResults(c.WorkshopId);
    }

    /// <summary>Participants with at least one open connection (two tabs count once).</summary>
    public int ConnectedParticipants(long workshopId) =>
        _connections.Values.Where(c => c.WorkshopId == workshopId && c.Role == Role.Participant).Select(c => c.ParticipantId).Distinct().Count();

    /// <summary>Called after a score is committed: every broadcast carrying this version or later includes it.</summary>
    public long ScoreWritten(long workshopId, long exerciseId)
    {
        var version = _versions.AddOrUpdate(exerciseId, 1, (_, v) => v + 1);
        MarkResults(workshopId);
        return version;
    }

    public long Version(long exerciseId) => _versions.TryGetValue(exerciseId, out var v) ? v : 0;

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
        var connected = ConnectedParticipants(workshop.Id);
        var exercise = workshop.CurrentExerciseId is { } id ? await WorkshopsSql.ExerciseAsync(conn, workshop.Id, id, ct) : null;
        if (exercise is null) return new ResultsDto { WorkshopId = workshop.Id, Connected = connected };
        // Read the version before the scores: everything acknowledged up to it is already committed.
        var version = Version(exercise.Id);
        var areas = await WorkshopsSql.CrimeAreasAsync(conn, workshop.RoundId, ct);
        var factors = exercise.Type == ExerciseTypes.Pestle ? await WorkshopsSql.FactorsAsync(conn, exercise.Id, ct) : [];
        var scores = await WorkshopsSql.ScoresAsync(conn, exercise.Id, ct);
        var settings = await WorkshopsSql.SettingsAsync(conn, workshop.RoundId, ct);
        var result = LiveResults.Compute(workshop.Id, WorkshopsSql.Facts(exercise, areas, factors), scores, WorkshopsSql.Scorable(factors), settings);
        return new ResultsDto
        {
            WorkshopId = workshop.Id, ExerciseId = exercise.Id, Version = version,
            Hidden = exercise.ResultsHidden && exercise.StateValue is not (ExerciseState.Revealed or ExerciseState.Done),
            Connected = connected, Answered = result.Answered, Result = result,
        };
    }
}
