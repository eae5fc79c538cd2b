using Consultation.Core.Workshops;

namespace Consultation.Web.Workshops;

// What the hub sends and returns (camelCase JSON). Labels are not here: the page renders them in the
// reader's language into a data block, the hub sends codes.

public sealed record FactorDto
{
    public long Id { get; init; }
    public string Dimension { get; init; } = "";
    public string Text { get; init; } = "";
}

public sealed record ExerciseDto
{
    public long Id { get; init; }
    public int Position { get; init; }
    public string Type { get; init; } = "";
    public string Title { get; init; } = "";
    public string State { get; init; } = "";
    public string Phase { get; init; } = "";
    public bool ResultsHidden { get; init; }
    public string Question { get; init; } = "";
    public IReadOnlyList<string> Choices { get; init; } = [];
    /// <summary>Item keys a participant answers, in order (0003 conventions).</summary>
    public IReadOnlyList<string> Items { get; init; } = [];
    /// <summary>PESTLE factors that stand (not deleted, not merged).</summary>
    public IReadOnlyList<FactorDto> Factors { get; init; } = [];
}

/// <summary>The public state of a workshop: the same for every participant and the screen.</summary>
public sealed record WorkshopStateDto
{
    public long WorkshopId { get; init; }
    public string Title { get; init; } = "";
    public string Status { get; init; } = "";
    public int ExerciseCount { get; init; }
    public ExerciseDto? Exercise { get; init; }
}

/// <summary>A participant's resync: the public state plus their own answers to the current exercise.</summary>
public sealed record ParticipantSyncDto
{
    public required WorkshopStateDto State { get; init; }
    public string DisplayName { get; init; } = "";
    public IReadOnlyDictionary<string, int[]> Answers { get; init; } = new Dictionary<string, int[]>();
}

/// <summary>Live results of the current exercise; <see cref="Result"/> is null while hidden (screen only).</summary>
public sealed record ResultsDto
{
    public long WorkshopId { get; init; }
    public long? ExerciseId { get; init; }
    /// <summary>Every score acknowledged with a version up to this one is included.</summary>
    public long Version { get; init; }
    public bool Hidden { get; init; }
    public int Connected { get; init; }
    public int Answered { get; init; }
    public LiveResult? Result { get; init; }
}

public sealed record WatchSyncDto
{
    public required WorkshopStateDto State { get; init; }
    public required ResultsDto Results { get; init; }
}

/// <summary>The answer to a participant's or facilitator's call: refused calls carry a stable code the page turns into a message.</summary>
public sealed record AckDto
{
    public bool Ok { get; init; }
    public string? Code { get; init; }
    public long Version { get; init; }
    public long? Id { get; init; }

    /// <summary>Seconds to wait before sending the same call again; set only with <see cref="Busy"/>.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static AckDto Refused(string code) => new() { Ok = false, Code = code };

    /// <summary>Nothing was written (the database is locked or full): send the same call again after <see cref="RetryAfterSeconds"/>.</summary>
    public static AckDto Busy() => new()
    {
        Ok = false, Code = Infrastructure.Data.TransientDatabaseFailures.Code, RetryAfterSeconds = Infrastructure.Data.TransientDatabaseFailures.RetryAfterSeconds,
    };
}
