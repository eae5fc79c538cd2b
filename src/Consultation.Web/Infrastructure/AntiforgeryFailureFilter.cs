using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;

namespace Consultation.Web.Infrastructure;

/// <summary>
/// A page form whose antiforgery check failed answers a script (one that asks for JSON) with problem+json, as a
/// too-large or malformed form does (<see cref="FormLimits"/>); a browser still gets the 400 page.
/// </summary>
public sealed class AntiforgeryFailureFilter : IAsyncAlwaysRunResultFilter
{
    public Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        if (context.Result is IAntiforgeryValidationFailedResult && FormLimits.WantsJson(context.HttpContext.Request))
            context.Result = FormLimits.Result(context.HttpContext, StatusCodes.Status400BadRequest);
        return next();
    }
}
