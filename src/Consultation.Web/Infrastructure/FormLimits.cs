using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Infrastructure;

/// <summary>
/// A form the server will not read — a value over <c>FormOptions.ValueLengthLimit</c> (4 MiB unless a page raises
/// it), too many fields, a multipart body over its limit, a body over Kestrel's <c>MaxRequestBodySize</c> — fails
/// inside the form reader, before any page model or filter that could add a field error runs. Without this the
/// <see cref="InvalidDataException"/> (or Kestrel's 413 <see cref="BadHttpRequestException"/>) became a 500 (found by
/// SizeLimitTests on the questionnaire editor). Here it becomes 413 — the readable error page for forms,
/// problem+json for scripts — on every page and endpoint; a form that is malformed rather than too large is 400.
/// </summary>
public static class FormLimits
{
    /// <summary>Place after <c>UseStatusCodePagesWithReExecute</c>, so an empty 413 gets the error page.</summary>
    public static IApplicationBuilder UseFormLimitErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (Status(ex) is { } status && !context.Response.HasStarted)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FormLimits));
            logger.LogWarning("{Method} {Path} answered {Status}: the form could not be read ({Reason})", context.Request.Method, context.Request.Path,
                status, Innermost(ex).Message);
            context.Response.Clear();
            context.Response.StatusCode = status;
            if (!WantsJson(context.Request)) return; // the status code pages render /Error/413 (or 400)
            var problem = Problem(context.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>(), status);
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
        }
    });

    /// <summary>413 for a form or body over a limit, 400 for a form the reader cannot parse, null for anything else.</summary>
    internal static int? Status(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }) return StatusCodes.Status413PayloadTooLarge;
            // The form reader's limits ("Form value length limit 4194304 exceeded.", "…count limit…", "Multipart body
            // length limit…") and its parse errors ("Missing content-type boundary.") share one exception type.
            if (e is InvalidDataException data)
                return data.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest;
            if (e is not (ValueProviderException or BadHttpRequestException or IOException or AggregateException)) return null;
        }
        return null;
    }

    /// <summary>The answer to a form the reader refused: an empty status (the error page renders it) or problem+json for scripts.</summary>
    internal static IActionResult Result(HttpContext context, int status)
    {
        if (!WantsJson(context.Request)) return new StatusCodeResult(status);
        var L = context.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        return new ObjectResult(Problem(L, status)) { StatusCode = status, ContentTypes = { "application/problem+json" } };
    }

    private static ProblemDetails Problem(IStringLocalizer L, int status) => new()
    {
        Status = status,
        Title = status == StatusCodes.Status413PayloadTooLarge ? L["Too large, not saved"] : L["Bad request"],
        Detail = status == StatusCodes.Status413PayloadTooLarge
            ? L["What you sent is too large for the server to read, so nothing was saved. Your text is still in the form: shorten it and send it again."]
            : L["The request could not be processed. Reload the page and try again."],
    };

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    internal static bool WantsJson(HttpRequest request) =>
        request.HasJsonContentType() || request.Headers.Accept.Any(a => a?.Contains("json", StringComparison.OrdinalIgnoreCase) == true);
}

/// <summary>
/// Reads a page's form before the antiforgery check does. Antiforgery turns a form the reader refused into a plain
/// "bad token" 400; read here first (after <see cref="RequestFormLimitsAttribute"/>, order 900, has set a page's own
/// limits, before antiforgery, order 1000), a form over a limit is 413 and a malformed one 400, with a clear page.
/// A query or form value holding a NUL character is 400 too: no one types one, and PostgreSQL refuses it in text (the
/// insert or the filter's query would fail with a 500); the API refuses it field by field (JsonFields.Text).
/// </summary>
public sealed class FormReadFilter(ILogger<FormReadFilter> logger) : IAsyncAuthorizationFilter, IOrderedFilter
{
    public int Order => 950;

    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var request = context.HttpContext.Request;
        // The error page re-executed for this very request has no use for the form it could not read.
        if (context.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is not null) return;
        // (A NUL in the path never gets here: the server refuses such a request line itself.)
        if (HasNul(request.Query))
        {
            Refuse(context, "a query value holds a NUL character");
            return;
        }
        if (!request.HasFormContentType) return;
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(context.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (FormLimits.Status(ex) is { } status)
        {
            logger.LogWarning("{Method} {Path} answered {Status}: the form could not be read ({Reason})", request.Method, request.Path, status, ex.Message);
            context.Result = FormLimits.Result(context.HttpContext, status);
            return;
        }
        if (HasNul(form)) Refuse(context, "a form value holds a NUL character");
    }

    private void Refuse(AuthorizationFilterContext context, string reason)
    {
        logger.LogWarning("{Method} {Path} answered 400: {Reason}", context.HttpContext.Request.Method, context.HttpContext.Request.Path, reason);
        context.Result = FormLimits.Result(context.HttpContext, StatusCodes.Status400BadRequest);
    }

    private static bool HasNul(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> values) =>
        values.Any(pair => pair.Key.Contains('\0', StringComparison.Ordinal) || pair.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true));
}
