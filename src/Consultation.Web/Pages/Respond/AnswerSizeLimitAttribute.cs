using Consultation.Web.Rounds;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Consultation.Web.Pages.Respond;

/// <summary>
/// Caps the body of an autosave or submission at <see cref="RoundsOptions.MaxAnswerBytes"/> before it is read
/// (the server's own 30 MB default would let one respondent store megabytes per keystroke): a larger body is a
/// 413 problem+json whose title the form shows. Runs before model binding, so nothing large is parsed or stored.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AnswerSizeLimitAttribute : Attribute, IAsyncResourceFilter
{
    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var http = context.HttpContext;
        var limit = http.RequestServices.GetRequiredService<IOptions<RoundsOptions>>().Value.MaxAnswerBytes;
        if (http.Request.ContentLength > limit)
        {
            context.Result = TooLarge(http, limit);
            return;
        }
        // A body without a length (chunked) is read here up to the limit, and handed on from memory.
        if (http.Request.ContentLength is null && HttpMethods.IsPost(http.Request.Method))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int n;
            while ((n = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + n > limit)
                {
                    context.Result = TooLarge(http, limit);
                    return;
                }
                buffer.Write(chunk, 0, n);
            }
            buffer.Position = 0;
            http.Request.Body = buffer;
            http.Response.RegisterForDispose(buffer);
        }
        await next();
    }

    private static ObjectResult TooLarge(HttpContext http, int limit)
    {
        var L = http.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status413PayloadTooLarge,
            Title = L["Your answers are too large to save (at most {0} KB). Shorten the longest texts.", limit / 1024],
            Type = "urn:consultation:request.too_large",
        };
        problem.Extensions["code"] = "request.too_large";
        return new ObjectResult(problem) { StatusCode = StatusCodes.Status413PayloadTooLarge, ContentTypes = { "application/problem+json" } };
    }
}
