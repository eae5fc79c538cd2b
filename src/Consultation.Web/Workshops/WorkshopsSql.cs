using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Consultation.Core.Aggregation;
using Consultation.Core.Localization;
using Consultation.Core.Scales;
using Consultation.Core.Workshops;
using Dapper;

namespace Consultation.Web.Workshops;

public sealed record WorkshopRow
{
    public long Id { get; init; }
    public long RoundId { get; init; }
    public string RoundTitle { get; init; } = "";
    public string Title { get; init; } = "";
    public string ScheduledOn { get; init; } = "";
    public string JoinCode { get; init; } = "";
    public string AccessMode { get; init; } = "";
    public string Status { get; init; } = "";
    public long? CurrentExerciseId { get; init; }
    public long FacilitatorUserId { get; init; }
}

public sealed record ExerciseRow
{
    public long Id { get; init; }
    public long WorkshopId { get; init; }
    public long RoundId { get; init; }
    public int Position { get; init; }
    public string Type { get; init; } = "";
    public string Title { get; init; } = "";
    public string ConfigJson { get; init; } = "{}";
    public string State { get; init; } = "";
    public string Phase { get; init; } = "";
    public bool ResultsHidden { get; init; }
    /// <summary>Accepted scores so far (<c>exercises.score_version</c>), the same on every instance.</summary>
    public long ScoreVersion { get; init; }

    public ExerciseState StateValue => ExerciseStateMachine.TryParse(State, out var s) ? s : ExerciseState.Pending;
    public ExercisePhase PhaseValue => Enum.TryParse<ExercisePhase>(Phase, out var p) ? p : ExercisePhase.Collect;
    public PollConfig Poll => PollConfig.Parse(ConfigJson);
}

/// <summary>A POLL's question and, for a single-choice poll, its choices (exercises.config_json).</summary>
public sealed record PollConfig
{
    public string Question { get; init; } = "";
    public IReadOnlyList<string> Choices { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static PollConfig Parse(string json)
    {
        try { return JsonSerializer.Deserialize<PollConfig>(json, Json) ?? new PollConfig(); }
        catch (JsonException) { return new PollConfig(); }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

public sealed record ParticipantRow
{
    public long Id { get; init; }
    public long WorkshopId { get; init; }
    public string DisplayName { get; init; } = "";
    public string Category { get; init; } = "";
    public long? UserId { get; init; }
    public long? OrganisationId { get; init; }
}

public sealed record FactorRow
{
    public long Id { get; init; }
    public long ExerciseId { get; init; }
    public string Dimension { get; init; } = "";
    public string Text { get; init; } = "";
    public long? MergedInto { get; init; }
    public bool Deleted { get; init; }
}

public sealed record CrimeAreaRow
{
    public string Code { get; init; } = "";
    public string NameEn { get; init; } = "";
    public string NameSrLatn { get; init; } = "";
    public string NameMk { get; init; } = "";
    public string NameSq { get; init; } = "";
    public string Name => Languages.Pick(CultureInfo.CurrentUICulture, NameEn, NameSrLatn, NameMk, NameSq, Code);
}

/// <summary>Workshop data access shared by the hub, the broadcaster and the facilitator pages.</summary>
public static class WorkshopsSql
{
    public static Task<WorkshopRow?> WorkshopAsync(DbConnection conn, long id, CancellationToken ct = default) =>
        conn.QuerySingleOrDefaultAsync<WorkshopRow>(new CommandDefinition("""
            SELECT w.id, w.round_id, r.title AS round_title, w.title, w.scheduled_on, w.join_code, w.access_mode, w.status,
                   w.current_exercise_id, w.facilitator_user_id
              FROM workshops w JOIN rounds r ON r.id = w.round_id
             WHERE w.id = @id
            """, new { id }, cancellationToken: ct));

    /// <summary>The workshop if this user may run it: its facilitator, or a coordinator/administrator (ownership in the WHERE clause).</summary>
    public static Task<WorkshopRow?> ControllableAsync(DbConnection conn, long id, long userId, bool coordinator, CancellationToken ct = default) =>
        conn.QuerySingleOrDefaultAsync<WorkshopRow>(new CommandDefinition("""
            SELECT w.id, w.round_id, r.title AS round_title, w.title, w.scheduled_on, w.join_code, w.access_mode, w.status,
                   w.current_exercise_id, w.facilitator_user_id
              FROM workshops w JOIN rounds r ON r.id = w.round_id
             WHERE w.id = @id AND (w.facilitator_user_id = @userId OR @coordinator = 1)
            """, new { id, userId, coordinator }, cancellationToken: ct));

    public static Task<WorkshopRow?> ByJoinCodeAsync(DbConnection conn, string code, CancellationToken ct = default) =>
        conn.QuerySingleOrDefaultAsync<WorkshopRow>(new CommandDefinition("""
            SELECT w.id, w.round_id, r.title AS round_title, w.title, w.scheduled_on, w.join_code, w.access_mode, w.status,
                   w.current_exercise_id, w.facilitator_user_id
              FROM workshops w JOIN rounds r ON r.id = w.round_id
             WHERE w.join_code = @code AND w.status <> 'Closed'
            """, new { code }, cancellationToken: ct));

    /// <summary>The closed workshops that had this code, newest first (a code is free again once its workshop closes).</summary>
    public static async Task<IReadOnlyList<long>> ClosedByJoinCodeAsync(DbConnection conn, string code, CancellationToken ct = default) =>
        [.. await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM workshops WHERE join_code = @code AND status = 'Closed' ORDER BY id DESC LIMIT 20", new { code }, cancellationToken: ct))];

    private const string ExerciseColumns = """
        e.id, e.workshop_id, w.round_id, e.position, e.type, e.title, e.config_json, e.state, e.phase, e.results_hidden, e.score_version
        """;

    public static Task<ExerciseRow?> ExerciseAsync(DbConnection conn, long workshopId, long exerciseId, CancellationToken ct = default) =>
        conn.QuerySingleOrDefaultAsync<ExerciseRow>(new CommandDefinition($"""
            SELECT {ExerciseColumns} FROM exercises e JOIN workshops w ON w.id = e.workshop_id
             WHERE e.id = @exerciseId AND e.workshop_id = @workshopId
            """, new { workshopId, exerciseId }, cancellationToken: ct));

    public static async Task<IReadOnlyList<ExerciseRow>> ExercisesAsync(DbConnection conn, long workshopId, CancellationToken ct = default) =>
        [.. await conn.QueryAsync<ExerciseRow>(new CommandDefinition($"""
            SELECT {ExerciseColumns} FROM exercises e JOIN workshops w ON w.id = e.workshop_id
             WHERE e.workshop_id = @workshopId ORDER BY e.position
            """, new { workshopId }, cancellationToken: ct))];

    public static Task<ParticipantRow?> ParticipantAsync(DbConnection conn, string tokenHash, CancellationToken ct = default) =>
        conn.QuerySingleOrDefaultAsync<ParticipantRow>(new CommandDefinition("""
            SELECT id, workshop_id, display_name, category, user_id, organisation_id FROM participants WHERE token_hash = @tokenHash
            """, new { tokenHash }, cancellationToken: ct));

    public static async Task<IReadOnlyList<CrimeAreaRow>> CrimeAreasAsync(DbConnection conn, long roundId, CancellationToken ct = default) =>
        [.. await conn.QueryAsync<CrimeAreaRow>(new CommandDefinition("""
            SELECT c.code, c.name_en, c.name_sr_latn, c.name_mk, c.name_sq FROM round_crime_areas rc JOIN crime_areas c ON c.code = rc.crime_area_code
             WHERE rc.round_id = @roundId ORDER BY c.sort_order, c.code
            """, new { roundId }, cancellationToken: ct))];

    /// <summary>Every factor of the exercise, including merged and deleted ones (the control page shows them).</summary>
    public static async Task<IReadOnlyList<FactorRow>> FactorsAsync(DbConnection conn, long exerciseId, CancellationToken ct = default) =>
        [.. await conn.QueryAsync<FactorRow>(new CommandDefinition("""
            SELECT id, exercise_id, dimension, text, merged_into, deleted FROM pestle_factors WHERE exercise_id = @exerciseId ORDER BY id
            """, new { exerciseId }, cancellationToken: ct))];

    public static ExerciseFacts Facts(ExerciseRow exercise, IReadOnlyList<CrimeAreaRow> areas, IReadOnlyList<FactorRow> factors) => new()
    {
        Type = exercise.Type,
        State = exercise.StateValue,
        Phase = exercise.PhaseValue,
        CrimeAreas = [.. areas.Select(a => a.Code)],
        Factors = [.. factors.Where(f => !f.Deleted && f.MergedInto is null).Select(f => f.Id)],
        PollChoices = exercise.Type == ExerciseTypes.Poll ? exercise.Poll.Choices : [],
    };

    public static async Task<IReadOnlyList<WorkshopScore>> ScoresAsync(DbConnection conn, long exerciseId, CancellationToken ct = default) =>
        [.. await conn.QueryAsync<WorkshopScore>(new CommandDefinition("""
            SELECT s.participant_id, p.organisation_id, p.category, s.item_key, s.value, s.value2
              FROM scores s JOIN participants p ON p.id = s.participant_id
             WHERE s.exercise_id = @exerciseId
            """, new { exerciseId }, cancellationToken: ct))];

    private sealed record RoundSettingsRow
    {
        public long MinOrganisations { get; init; }
        public string DefaultGrading { get; init; } = "B2";
        public string CategoryWeightsJson { get; init; } = "{}";
    }

    /// <summary>The round's aggregation settings; category weights default to 1 when the round sets none.</summary>
    public static async Task<AggregationSettings> SettingsAsync(DbConnection conn, long roundId, CancellationToken ct = default)
    {
        var row = await conn.QuerySingleOrDefaultAsync<RoundSettingsRow>(new CommandDefinition("""
            SELECT min_organisations, default_grading, category_weights_json FROM rounds WHERE id = @roundId
            """, new { roundId }, cancellationToken: ct));
        if (row is null) return AggregationSettings.Default;
        Dictionary<string, double> weights;
        try { weights = JsonSerializer.Deserialize<Dictionary<string, double>>(row.CategoryWeightsJson) ?? []; }
        catch (JsonException) { weights = []; }
        var settings = new AggregationSettings
        {
            MinOrganisations = (int)Math.Max(1, row.MinOrganisations),
            DefaultGrading = Grading.TryParse(row.DefaultGrading, out var g) ? g : Grading.Default,
            CategoryWeights = weights.Where(w => double.IsFinite(w.Value) && w.Value > 0).ToDictionary(StringComparer.Ordinal),
        };
        return settings;
    }

    /// <summary>Answers of one participant in one exercise, by item key.</summary>
    public static async Task<IReadOnlyDictionary<string, int[]>> AnswersAsync(DbConnection conn, long exerciseId, long participantId, CancellationToken ct = default)
    {
        var rows = await conn.QueryAsync<(string ItemKey, long Value, long? Value2)>(new CommandDefinition("""
            SELECT item_key, value, value2 FROM scores WHERE exercise_id = @exerciseId AND participant_id = @participantId
            """, new { exerciseId, participantId }, cancellationToken: ct));
        return rows.ToDictionary(r => r.ItemKey, r => r.Value2 is { } v2 ? new[] { (int)r.Value, (int)v2 } : [(int)r.Value], StringComparer.Ordinal);
    }
    /// <summary>The exercise a participant may answer now: the workshop's current one, in a workshop that is not closed.</summary>
    public static Task<ExerciseRow?> CurrentExerciseAsync(DbConnection conn, long workshopId, long exerciseId, CancellationToken ct = default) =>
        conn.QuerySingleOrDefaultAsync<ExerciseRow>(new CommandDefinition($"""
            SELECT {ExerciseColumns} FROM exercises e JOIN workshops w ON w.id = e.workshop_id
             WHERE e.id = @exerciseId AND e.workshop_id = @workshopId AND w.current_exercise_id = e.id AND w.status <> 'Closed'
            """, new { workshopId, exerciseId }, cancellationToken: ct));

    /// <summary>Writes one score (insert or re-score); the caller acknowledges only after this returns.</summary>
    public static Task UpsertScoreAsync(DbConnection conn, DbTransaction? tx, long exerciseId, long participantId, string itemKey, int value, int? value2,
        DateTimeOffset now, CancellationToken ct = default) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO scores (exercise_id, participant_id, item_key, value, value2, updated_at)
            VALUES (@exerciseId, @participantId, @itemKey, @value, @value2, @now)
            ON CONFLICT (exercise_id, participant_id, item_key) DO UPDATE SET value = excluded.value, value2 = excluded.value2, updated_at = excluded.updated_at
            """, new { exerciseId, participantId, itemKey, value, value2, now }, tx, cancellationToken: ct));

    /// <summary>
    /// Counts one more score of the exercise, but only while the facts a score was checked against still hold in
    /// the database: the exercise is the workshop's current one, the workshop is not closed, its state and phase
    /// are the ones checked, and a PESTLE factor still stands. Another instance may have changed any of them since
    /// the facts were cached. Returns the new version, or null when something changed (nothing is written).
    /// </summary>
    public static Task<long?> ClaimScoreVersionAsync(DbConnection conn, DbTransaction tx, long workshopId, long exerciseId,
        string state, string phase, long? factorId, CancellationToken ct = default) =>
        conn.ExecuteScalarAsync<long?>(new CommandDefinition(factorId is null ? ClaimScoreVersion + Returning : ClaimScoreVersion + ClaimFactorStands + Returning,
            new { workshopId, exerciseId, state, phase, factorId }, tx, cancellationToken: ct));

    private const string ClaimScoreVersion = """
        UPDATE exercises SET score_version = score_version + 1
         WHERE id = @exerciseId AND workshop_id = @workshopId AND state = @state AND phase = @phase
           AND EXISTS (SELECT 1 FROM workshops w WHERE w.id = @workshopId AND w.current_exercise_id = @exerciseId AND w.status <> 'Closed')
        """;

    private const string ClaimFactorStands = """

           AND EXISTS (SELECT 1 FROM pestle_factors f WHERE f.id = @factorId AND f.exercise_id = @exerciseId AND f.deleted = 0 AND f.merged_into IS NULL)
        """;

    private const string Returning = """

         RETURNING score_version
        """;

    public static Task<long> InsertFactorAsync(DbConnection conn, long exerciseId, long? participantId, string dimension, string text,
        DateTimeOffset now, CancellationToken ct = default) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO pestle_factors (exercise_id, dimension, text, created_by, created_at, updated_at)
            VALUES (@exerciseId, @dimension, @text, @participantId, @now, @now) RETURNING id
            """, new { exerciseId, dimension, text, participantId, now }, cancellationToken: ct));

    public static Task TouchParticipantAsync(DbConnection conn, long participantId, DateTimeOffset now, CancellationToken ct = default) =>
        conn.ExecuteAsync(new CommandDefinition("UPDATE participants SET last_seen = @now WHERE id = @participantId",
            new { participantId, now }, cancellationToken: ct));

    /// <summary>Every factor of the exercise for the live results: merged ones too, whose scores count for the factor they were merged into.</summary>
    public static IReadOnlyList<WorkshopFactor> LiveFactors(IReadOnlyList<FactorRow> factors) =>
        [.. factors.Select(f => new WorkshopFactor { Id = f.Id, Dimension = f.Dimension, Text = f.Text, MergedInto = f.MergedInto, Deleted = f.Deleted })];
}
