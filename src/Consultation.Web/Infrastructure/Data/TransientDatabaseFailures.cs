using System.Data.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Infrastructure.Data;

/// <summary>
/// A database that is locked past the busy timeout, or whose disk is full, is a passing condition, not a bug:
/// the page or script gets 503 with <c>Retry-After</c> (problem+json for script requests, the error page for
/// forms) instead of a 500 with a stack trace, and the respondent's browser keeps the answers and retries
/// (issue 6, "Durability").
/// </summary>
public static class TransientDatabaseFailures
{
    /// <summary>Seconds a client is asked to wait before trying again.</summary>
    public const int RetryAfterSeconds = 2;

    public const string Code = "database.unavailable";

    // https://www.sqlite.org/rescode.html — primary result codes (the low byte of extended ones).
    private const int SqliteBusy = 5, SqliteLocked = 6, SqliteIoErr = 10, SqliteFull = 13, SqliteCantOpen = 14, SqliteProtocol = 15;

    /// <summary>
    /// True for SQLite BUSY, LOCKED, FULL, IOERR, CANTOPEN and PROTOCOL and for any provider's transient
    /// <see cref="DbException"/>, anywhere in the chain (a batching writer may wrap the original exception).
    /// </summary>
    public static bool IsTransient(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked or SqliteIoErr or SqliteFull or SqliteCantOpen or SqliteProtocol })
                return true;
            if (e is DbException { IsTransient: true }) return true;
            if (e is AggregateException agg && agg.InnerExceptions.Any(IsTransient)) return true;
        }
        return false;
    }

    /// <summary>Logs the failure and asks the client to come back after <see cref="RetryAfterSeconds"/> (the 503's <c>Retry-After</c>).</summary>
    public static void Defer(HttpContext http, Exception ex, ILogger logger)
    {
        logger.LogWarning("{Method} {Path} answered 503: the database is unavailable ({Reason})", http.Request.Method, http.Request.Path, Reason(ex));
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The 503 problem+json body a script gets: its code, a message it shows, and when to retry.</summary>
    public static ProblemDetails Problem(IStringLocalizer L)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = L["The database is busy. Your answers are kept on this device and sent again shortly."],
            Type = "urn:consultation:" + Code,
        };
        problem.Extensions["code"] = Code;
        problem.Extensions["retryAfter"] = RetryAfterSeconds;
        return problem;
    }

    /// <summary>The reason, for the log: the SQLite code (e.g. <c>SQLITE_FULL</c>) or the exception type.</summary>
    public static string Reason(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is SqliteException s) return $"SQLite error {s.SqliteErrorCode}/{s.SqliteExtendedErrorCode}: {s.Message}";
        return ex.GetType().Name;
    }
}

/// <summary>Turns a transient database failure in any page handler into 503 + Retry-After (see <see cref="TransientDatabaseFailures"/>).</summary>
public sealed class TransientDatabaseFailureFilter(IStringLocalizer<SharedResource> L, ILogger<TransientDatabaseFailureFilter> logger) : IExceptionFilter
{
    public void OnException(ExceptionContext context)
    {
        if (context.ExceptionHandled || !TransientDatabaseFailures.IsTransient(context.Exception)) return;
        TransientDatabaseFailures.Defer(context.HttpContext, context.Exception, logger);
        context.ExceptionHandled = true;
        if (WantsJson(context.HttpContext.Request))
        {
            context.Result = new ObjectResult(TransientDatabaseFailures.Problem(L))
            {
                StatusCode = StatusCodes.Status503ServiceUnavailable, ContentTypes = { "application/problem+json" },
            };
        }
        else
        {
            // An empty 503: the status code pages show the readable error page for it.
            context.Result = new StatusCodeResult(StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static bool WantsJson(HttpRequest request) =>
        request.HasJsonContentType() || request.Headers.Accept.Any(a => a?.Contains("json", StringComparison.OrdinalIgnoreCase) == true);
}
