using System.Data.Common;
using Consultation.Core.Scales;
using Consultation.Core.Workshops;
using Dapper;

namespace Consultation.Web.Workshops;

/// <summary>Facilitator actions, shared by the control page's forms and the hub. Callers check ownership first.</summary>
public static class WorkshopCommands
{
    public const string Open = "open";
    public const string Lock = "lock";
    public const string Reveal = "reveal";
    public const string Close = "close";
    public const string StartScoring = "scoring";
    public const string Next = "next";
    public const string Hide = "hide";
    public const string Show = "show";
    public const string End = "end";

    public static readonly IReadOnlyList<string> All = [Open, Lock, Reveal, Close, StartScoring, Next, Hide, Show, End];

    public const string NoExercise = "workshop.no_exercise";
    public const string LastExercise = "workshop.last_exercise";
    public const string WorkshopClosed = "workshop.closed";
    public const string UnknownAction = "workshop.unknown_action";
    public const string Changed = "workshop.changed";

    /// <summary>
    /// Applies <paramref name="action"/> to the workshop's current exercise; returns a refusal code or null. With
    /// <paramref name="from"/> (the exercise the facilitator's page showed; 0 = none yet) an action taken on a page
    /// that another tab has moved on is refused (<see cref="Changed"/>): "next" pressed twice must not skip an exercise.
    /// </summary>
    public static async Task<string?> ActAsync(DbConnection conn, WorkshopRow workshop, string action, DateTimeOffset now, CancellationToken ct, long? from = null)
    {
        if (!All.Contains(action, StringComparer.Ordinal)) return UnknownAction;
        if (workshop.Status == "Closed") return WorkshopClosed;
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (from is { } shown)
        {
            var currentNow = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT current_exercise_id FROM workshops WHERE id = @Id", new { workshop.Id }, tx, cancellationToken: ct));
            if ((currentNow ?? 0) != shown) return Changed;
            workshop = workshop with { CurrentExerciseId = currentNow };
        }
        var exercises = await WorkshopsSql.ExercisesAsync(conn, workshop.Id, ct);
        var current = exercises.FirstOrDefault(e => e.Id == workshop.CurrentExerciseId);
        string? refusal;
        switch (action)
        {
            case Next:
                var next = exercises.FirstOrDefault(e => e.Position > (current?.Position ?? 0));
                if (next is null) return LastExercise;
                if (current is not null && current.StateValue is ExerciseState.Open or ExerciseState.Locked or ExerciseState.Revealed)
                    await SetStateAsync(conn, tx, current.Id, ExerciseState.Done, now, ct);
                // In a live room "next" means "let them answer it": the next exercise opens at once.
                if (next.StateValue is ExerciseState.Pending or ExerciseState.Locked)
                    await SetStateAsync(conn, tx, next.Id, ExerciseState.Open, now, ct);
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE workshops SET current_exercise_id = @Next, status = 'Live', updated_at = @now WHERE id = @Id
                    """, new { Next = next.Id, workshop.Id, now }, tx, cancellationToken: ct));
                break;
            case End:
                if (current is not null && current.StateValue is ExerciseState.Open or ExerciseState.Locked or ExerciseState.Revealed)
                    await SetStateAsync(conn, tx, current.Id, ExerciseState.Done, now, ct);
                await conn.ExecuteAsync(new CommandDefinition("UPDATE workshops SET status = 'Closed', updated_at = @now WHERE id = @Id",
                    new { workshop.Id, now }, tx, cancellationToken: ct));
                break;
            case Hide or Show:
                if (current is null) return NoExercise;
                await conn.ExecuteAsync(new CommandDefinition("UPDATE exercises SET results_hidden = @hidden, updated_at = @now WHERE id = @Id",
                    new { hidden = action == Hide, current.Id, now }, tx, cancellationToken: ct));
                break;
            default:
                if (current is null) return NoExercise;
                var what = action switch
                {
                    Open => ExerciseAction.Open, Lock => ExerciseAction.Lock, Reveal => ExerciseAction.Reveal,
                    Close => ExerciseAction.Close, _ => ExerciseAction.StartScoring,
                };
                var decision = ExerciseStateMachine.Decide(current.Type, current.StateValue, current.PhaseValue, what);
                if (!decision.Allowed) return decision.Refusal;
                if (what == ExerciseAction.StartScoring)
                {
                    // Scoring starts open: the facilitator asks the room to score now.
                    refusal = await ChangeAsync(conn, tx, current, ExerciseState.Open, "Score", now, ct);
                }
                else
                {
                    refusal = await ChangeAsync(conn, tx, current, ExerciseStateMachine.Target(what, current.StateValue), current.Phase, now, ct);
                }
                if (refusal is not null) return refusal;
                if (workshop.Status == "Scheduled")
                    await conn.ExecuteAsync(new CommandDefinition("UPDATE workshops SET status = 'Live', updated_at = @now WHERE id = @Id",
                        new { workshop.Id, now }, tx, cancellationToken: ct));
                break;
        }
        await tx.CommitAsync(ct);
        return null;
    }

    private static async Task<string?> ChangeAsync(DbConnection conn, DbTransaction tx, ExerciseRow exercise, ExerciseState to, string phase, DateTimeOffset now, CancellationToken ct)
    {
        // The state it was read in is part of the WHERE clause: two facilitator tabs cannot both win.
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE exercises SET state = @To, phase = @phase, updated_at = @now WHERE id = @Id AND state = @From AND phase = @FromPhase
            """, new { To = to.ToString(), phase, now, exercise.Id, From = exercise.State, FromPhase = exercise.Phase }, tx, cancellationToken: ct));
        return n == 0 ? Changed : null;
    }

    private static Task<int> SetStateAsync(DbConnection conn, DbTransaction tx, long exerciseId, ExerciseState to, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("UPDATE exercises SET state = @To, updated_at = @now WHERE id = @exerciseId",
            new { To = to.ToString(), now, exerciseId }, tx, cancellationToken: ct));

    /// <summary>Edits a factor of this workshop (ownership through the exercise's workshop); false when it is not one.</summary>
    public static async Task<bool> EditFactorAsync(DbConnection conn, long workshopId, long factorId, string dimension, string text, DateTimeOffset now, CancellationToken ct) =>
        PestleDimensions.IsKnown(dimension) && !string.IsNullOrWhiteSpace(text) && text.Trim().Length <= ScoreValidation.FactorTextMax
        && await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE pestle_factors SET dimension = @dimension, text = @Text, updated_at = @now
             WHERE id = @factorId AND exercise_id IN (SELECT id FROM exercises WHERE workshop_id = @workshopId)
            """, new { dimension, Text = text.Trim(), now, factorId, workshopId }, cancellationToken: ct)) == 1;

    public static async Task<bool> DeleteFactorAsync(DbConnection conn, long workshopId, long factorId, DateTimeOffset now, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE pestle_factors SET deleted = 1, updated_at = @now
             WHERE id = @factorId AND exercise_id IN (SELECT id FROM exercises WHERE workshop_id = @workshopId)
            """, new { now, factorId, workshopId }, cancellationToken: ct)) == 1;

    /// <summary>Merges a duplicate into another standing factor of the same exercise; scores already given to the duplicate count for the factor it was merged into, live and in the evidence (<see cref="FactorMerges"/>).</summary>
    public static async Task<bool> MergeFactorAsync(DbConnection conn, long workshopId, long factorId, long intoId, DateTimeOffset now, CancellationToken ct) =>
        factorId != intoId && await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE pestle_factors SET merged_into = @intoId, updated_at = @now
             WHERE id = @factorId AND merged_into IS NULL AND deleted = 0
               AND exercise_id IN (SELECT id FROM exercises WHERE workshop_id = @workshopId)
               AND exercise_id = (SELECT t.exercise_id FROM pestle_factors t WHERE t.id = @intoId AND t.deleted = 0 AND t.merged_into IS NULL)
            """, new { intoId, now, factorId, workshopId }, cancellationToken: ct)) == 1;
}
