using Consultation.Web.Infrastructure.Data;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Workshops;

/// <summary>
/// The hub's side of <see cref="TransientDatabaseFailures"/>: a locked or full database during a hub call is a
/// passing condition. Calls answered with an <see cref="AckDto"/> (scores, factors, facilitator actions) get a
/// refusal with the code <see cref="TransientDatabaseFailures.Code"/> and a retry delay, which the page shows as
/// "not saved yet, trying again" and sends again by itself; other calls (join, watch) get a
/// <see cref="HubException"/> with a localized message instead of SignalR's generic text. Never a disconnect.
/// </summary>
public sealed class TransientDatabaseHubFilter(IStringLocalizer<SharedResource> L, ILogger<TransientDatabaseHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(invocationContext);
        }
        catch (Exception ex) when (TransientDatabaseFailures.IsTransient(ex))
        {
            logger.LogWarning("Hub call {Method} answered 'database unavailable' ({Reason})", invocationContext.HubMethodName, TransientDatabaseFailures.Reason(ex));
            if (invocationContext.HubMethod.ReturnType == typeof(Task<AckDto>)) return AckDto.Busy();
            throw new HubException(L["The database is busy. Nothing was lost: trying again in a moment."]);
        }
    }
}
