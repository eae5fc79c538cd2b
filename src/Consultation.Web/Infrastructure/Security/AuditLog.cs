using System.Data.Common;
using Dapper;
using Consultation.Web.Infrastructure.Data;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>Audit actions, stable strings stored in <c>audit_log.action</c>.</summary>
public static class AuditActions
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LockedOut = "login.locked_out";
    public const string Logout = "logout";
    public const string PasswordResetRequested = "password.reset_requested";
    public const string PasswordReset = "password.reset";
    public const string PasswordChanged = "password.changed";
    public const string TwoFactorEnabled = "two_factor.enabled";
    public const string TwoFactorDisabled = "two_factor.disabled";
    public const string InvitationSent = "invitation.sent";
    public const string InvitationAccepted = "invitation.accepted";
    public const string InvitationRevoked = "invitation.revoked";
    public const string RoleAdded = "role.added";
    public const string RoleRemoved = "role.removed";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserUnlocked = "user.unlocked";
    public const string OrganisationCreated = "organisation.created";
    public const string OrganisationUpdated = "organisation.updated";
    public const string SettingChanged = "setting.changed";
    public const string AdminCreated = "admin.created";
    public const string RoundCreated = "round.created";
    public const string RoundUpdated = "round.updated";
    public const string RoundOpened = "round.opened";
    public const string RoundClosed = "round.closed";
    public const string RoundArchived = "round.archived";
    public const string QuestionnaireCreated = "questionnaire.created";
    public const string QuestionnaireSaved = "questionnaire.saved";
    public const string QuestionnairePublished = "questionnaire.published";
}

public sealed record AuditEntry
{
    public long Id { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public long? ActorUserId { get; init; }
    public string? ActorEmail { get; init; }
    public string Action { get; init; } = "";
    public string? Target { get; init; }
    public string? Details { get; init; }
    public string? Ip { get; init; }
}

/// <summary>Writes who did what, when and from where. Pass the transaction when the audited change has one.</summary>
public sealed class AuditLog(Db db, CurrentUser user, TimeProvider clock)
{
    /// <summary>The audit row's insert; its parameters (<see cref="Parameters"/>) are prefixed so that it can share a command with others.</summary>
    public const string InsertSql = """
        INSERT INTO audit_log (occurred_at, actor_user_id, actor_email, action, target, details, ip)
        VALUES (@AuditAt, @AuditActorId, @AuditActorEmail, @AuditAction, @AuditTarget, @AuditDetails, @AuditIp)
        """;

    /// <summary>The parameters of <see cref="InsertSql"/>, in the order of <see cref="Values"/>.</summary>
    public static readonly string[] ParameterNames =
        ["@AuditAt", "@AuditActorId", "@AuditActorEmail", "@AuditAction", "@AuditTarget", "@AuditDetails", "@AuditIp"];

    /// <summary>The values of <see cref="InsertSql"/> (<see cref="ParameterNames"/>): now, by the signed-in user unless an actor is given.</summary>
    public object?[] Values(string action, string? target = null, string? details = null, long? actorId = null, string? actorEmail = null) =>
    [
        clock.GetUtcNow(),
        actorId ?? (user.Id == 0 ? (long?)null : user.Id),
        actorEmail ?? (user.IsAuthenticated ? user.Email : null),
        action,
        target,
        details,
        user.IpAddress,
    ];

    /// <summary><see cref="Values"/> as Dapper parameters.</summary>
    public DynamicParameters Parameters(string action, string? target = null, string? details = null, long? actorId = null, string? actorEmail = null)
    {
        var args = new DynamicParameters();
        var values = Values(action, target, details, actorId, actorEmail);
        for (var i = 0; i < values.Length; i++) args.Add(ParameterNames[i][1..], values[i]);
        return args;
    }

    public async Task WriteAsync(string action, string? target = null, string? details = null,
        DbConnection? conn = null, DbTransaction? tx = null, long? actorId = null, string? actorEmail = null, CancellationToken ct = default)
    {
        var args = Parameters(action, target, details, actorId, actorEmail);
        if (conn is not null)
        {
            await conn.ExecuteAsync(new CommandDefinition(InsertSql, args, tx, cancellationToken: ct));
            return;
        }
        await using var own = await db.OpenAsync(ct);
        await own.ExecuteAsync(new CommandDefinition(InsertSql, args, cancellationToken: ct));
    }
}
