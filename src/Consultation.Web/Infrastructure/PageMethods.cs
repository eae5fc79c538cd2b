using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Consultation.Web.Infrastructure;

/// <summary>
/// A method no handler of the page takes — PUT or DELETE to <c>/Rounds</c>, a POST to a page without OnPost — is
/// 405 Method Not Allowed with an <c>Allow</c> header naming what the page does take: GET and HEAD (every page renders
/// on them) and the methods of its handlers. Browsers get the 405 error page, scripts that ask for JSON problem+json,
/// as the API answers a wrong method.
/// <para>
/// Pages accept every method at the routing level (their endpoints carry no method metadata), so this is decided
/// here, in the page pipeline: after the authorization middleware — anonymous is still sent to sign-in and a signed-in
/// user without the folder's role still gets 403, exactly as for a GET, so a 405 tells no one more than a GET would —
/// and before the form is read (<see cref="FormReadFilter"/>) and antiforgery is checked: a POST to a page that has
/// POST handlers still needs its token (400 without), while a POST to a GET-only page is 405 with or without one,
/// since no handler would read it.
/// </para>
/// </summary>
public sealed class PageMethodFilter(IStringLocalizer<SharedResource> L) : IAuthorizationFilter
{
    public void OnAuthorization(AuthorizationFilterContext context)
    {
        if (context.ActionDescriptor is not CompiledPageActionDescriptor page) return;
        var http = context.HttpContext;
        // The status code pages re-execute the error page in the failed request's method (a PUT that got 405): it renders for any.
        if (http.Features.Get<IStatusCodeReExecuteFeature>() is not null) return;
        var method = http.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || page.HandlerMethods.Any(h => string.Equals(h.HttpMethod, method, StringComparison.OrdinalIgnoreCase)))
            return;

        var allowed = Allowed(page);
        http.Response.Headers.Allow = string.Join(", ", allowed);
        if (!FormLimits.WantsJson(http.Request))
        {
            context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed); // the status code pages render /Error/405
            return;
        }
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status405MethodNotAllowed,
            Title = L["Method not allowed"],
            Detail = L["{0} is not allowed here; this page takes {1}.", method.ToUpperInvariant(), string.Join(", ", allowed)],
        };
        context.Result = new ObjectResult(problem) { StatusCode = StatusCodes.Status405MethodNotAllowed, ContentTypes = { "application/problem+json" } };
    }

    /// <summary>GET and HEAD (a page renders on both, with or without OnGet), then its handlers' other methods.</summary>
    private static List<string> Allowed(CompiledPageActionDescriptor page) =>
    [
        HttpMethods.Get, HttpMethods.Head,
        .. page.HandlerMethods.Select(h => h.HttpMethod.ToUpperInvariant())
            .Where(m => m is not ("GET" or "HEAD")).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal),
    ];
}
