using Consultation.Core.Accounts;
using Consultation.Core.Workshops;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Consultation.Web.Workshops;

/// <summary>
/// The live channel of a workshop. Anyone may connect (participants are anonymous); each method checks its
/// caller: participant methods need the workshop's participant cookie, screen and facilitator methods the
/// workshop's facilitator or a coordinator. Clients call <see cref="Join"/> or <see cref="Watch"/> again after
/// every (re)connect and get the whole state back, so nothing depends on what a connection saw before.
/// </summary>
[AllowAnonymous]
public sealed class WorkshopHub(Db db, WorkshopLive live, AuditLog audit, TimeProvider clock) : Hub
{
    private const string ParticipantKey = "participant";

    /// <summary>Participant: resynchronise (after load, reconnect or a new exercise) and subscribe.</summary>
    public async Task<ParticipantSyncDto> Join(long workshopId)
    {
        var http = Context.GetHttpContext() ?? throw new HubException("No HTTP context.");
        var hash = ParticipantCookie.TokenHash(http.Request, workshopId) ?? throw new HubException("not_participant");
        await using var conn = await db.OpenAsync(Context.ConnectionAborted);
        var participant = await WorkshopsSql.ParticipantAsync(conn, hash, Context.ConnectionAborted);
        if (participant is null || participant.WorkshopId != workshopId) throw new HubException("not_participant");
        var workshop = await WorkshopsSql.WorkshopAsync(conn, workshopId, Context.ConnectionAborted) ?? throw new HubException("not_participant");

        Context.Items[ParticipantKey] = participant;
        await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopLive.All(workshopId), Context.ConnectionAborted);
        live.Connected(Context.ConnectionId, workshopId, WorkshopLive.Role.Participant, participant.Id);
        await live.WriteAsync(() => WorkshopsSql.TouchParticipantAsync(conn, participant.Id, clock.GetUtcNow(), Context.ConnectionAborted), Context.ConnectionAborted);

        var state = await WorkshopLive.StateAsync(conn, workshop, Context.ConnectionAborted);
        var answers = state.Exercise is { } e
            ? await WorkshopsSql.AnswersAsync(conn, e.Id, participant.Id, Context.ConnectionAborted)
            : new Dictionary<string, int[]>();
        return new ParticipantSyncDto { State = state, DisplayName = participant.DisplayName, Answers = answers };
    }

    /// <summary>Participant: one score. Written to the database before the acknowledgement is returned.</summary>
    public async Task<AckDto> Score(long exerciseId, string itemKey, int value, int? value2)
    {
        var participant = Participant();
        await using var conn = await db.OpenAsync(Context.ConnectionAborted);
        var exercise = await WorkshopsSql.CurrentExerciseAsync(conn, participant.WorkshopId, exerciseId, Context.ConnectionAborted);
        if (exercise is null) return AckDto.Refused(WorkshopRefusals.NotOpen);
        var areas = exercise.Type is ExerciseTypes.SocialTolerance or ExerciseTypes.Indicators
            ? await WorkshopsSql.CrimeAreasAsync(conn, exercise.RoundId, Context.ConnectionAborted) : [];
        var factors = exercise.Type == ExerciseTypes.Pestle ? await WorkshopsSql.FactorsAsync(conn, exercise.Id, Context.ConnectionAborted) : [];
        var decision = ScoreValidation.Check(WorkshopsSql.Facts(exercise, areas, factors), itemKey, value, value2);
        if (!decision.Allowed) return AckDto.Refused(decision.Refusal!);

        await live.WriteAsync(() => WorkshopsSql.UpsertScoreAsync(conn, exercise.Id, participant.Id, itemKey, value, value2, clock.GetUtcNow(), Context.ConnectionAborted),
            Context.ConnectionAborted);
        return new AckDto { Ok = true, Version = live.ScoreWritten(participant.WorkshopId, exercise.Id) };
    }

    /// <summary>Participant: a new PESTLE factor while the exercise collects them.</summary>
    public async Task<AckDto> AddFactor(long exerciseId, string dimension, string text)
    {
        var participant = Participant();
        await using var conn = await db.OpenAsync(Context.ConnectionAborted);
        var exercise = await WorkshopsSql.CurrentExerciseAsync(conn, participant.WorkshopId, exerciseId, Context.ConnectionAborted);
        if (exercise is null) return AckDto.Refused(WorkshopRefusals.NotOpen);
        var decision = ScoreValidation.CheckNewFactor(WorkshopsSql.Facts(exercise, [], []), dimension, text);
        if (!decision.Allowed) return AckDto.Refused(decision.Refusal!);
        long id = 0;
        await live.WriteAsync(async () => id = await WorkshopsSql.InsertFactorAsync(conn, exercise.Id, participant.Id, dimension, text.Trim(), clock.GetUtcNow(), Context.ConnectionAborted),
            Context.ConnectionAborted);
        live.MarkState(participant.WorkshopId);
        return new AckDto { Ok = true, Id = id };
    }

    /// <summary>Projector screen (<paramref name="control"/> false) or control page: subscribe and get state and results.</summary>
    public async Task<WatchSyncDto> Watch(long workshopId, bool control)
    {
        await using var conn = await db.OpenAsync(Context.ConnectionAborted);
        var workshop = await ControllableAsync(conn, workshopId) ?? throw new HubException("forbidden");
        await Groups.AddToGroupAsync(Context.ConnectionId, WorkshopLive.All(workshopId), Context.ConnectionAborted);
        await Groups.AddToGroupAsync(Context.ConnectionId, control ? WorkshopLive.Controls(workshopId) : WorkshopLive.Screens(workshopId), Context.ConnectionAborted);
        live.Connected(Context.ConnectionId, workshopId, control ? WorkshopLive.Role.Control : WorkshopLive.Role.Screen, null);
        var results = await live.ResultsAsync(conn, workshop, Context.ConnectionAborted);
        return new WatchSyncDto
        {
            State = await WorkshopLive.StateAsync(conn, workshop, Context.ConnectionAborted),
            Results = control ? results : WorkshopLive.ForScreen(results),
        };
    }

    /// <summary>Facilitator: open / lock / reveal / close / scoring / next / hide / show / end (see <see cref="WorkshopCommands"/>).</summary>
    public async Task<AckDto> Act(long workshopId, string action)
    {
        await using var conn = await db.OpenAsync(Context.ConnectionAborted);
        var workshop = await ControllableAsync(conn, workshopId) ?? throw new HubException("forbidden");
        var refusal = await WorkshopCommands.ActAsync(conn, workshop, action, clock.GetUtcNow(), Context.ConnectionAborted);
        if (refusal is not null) return AckDto.Refused(refusal);
        var user = User();
        await audit.WriteAsync(WorkshopAudit.Acted, $"workshop:{workshopId}", action, conn, actorId: user.Id, actorEmail: user.Email, ct: Context.ConnectionAborted);
        live.MarkState(workshopId);
        return new AckDto { Ok = true };
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        live.Disconnected(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>The connection's signed-in user (hubs have no request of their own to resolve <see cref="CurrentUser"/> from).</summary>
    private CurrentUser User() => new(new HttpContextAccessor { HttpContext = Context.GetHttpContext() });

    private ParticipantRow Participant() =>
        Context.Items.TryGetValue(ParticipantKey, out var p) && p is ParticipantRow row ? row : throw new HubException("not_participant");

    /// <summary>The workshop when the caller is its facilitator, or a coordinator or administrator (in the WHERE clause).</summary>
    private Task<WorkshopRow?> ControllableAsync(System.Data.Common.DbConnection conn, long workshopId)
    {
        var user = User();
        if (!user.IsAuthenticated || !(user.IsInRole(Roles.Facilitator) || user.CanManageOrganisations)) return Task.FromResult<WorkshopRow?>(null);
        return WorkshopsSql.ControllableAsync(conn, workshopId, user.Id, user.CanManageOrganisations, Context.ConnectionAborted);
    }
}
