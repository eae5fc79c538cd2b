namespace Consultation.Web.Infrastructure;

/// <summary>
/// HEAD wherever GET is answered. Pages and static files take HEAD already; minimal endpoints (the API's reads, its
/// OpenAPI documents, <c>/healthz</c>) are matched by the methods they declare, and <c>MapGet</c> declares GET only, so
/// an uptime monitor's <c>HEAD /healthz</c> or a client's <c>HEAD /api/v1/rounds</c> was a 405. Such a request is
/// routed as the GET it stands for — a GET changes nothing, so nothing more is allowed than a GET would be — and the
/// server, which still knows the request line said HEAD, sends the headers without the body.
/// </summary>
public static class HeadRequests
{
    private static readonly object WasHead = new();

    /// <summary>Before routing: HEAD on a minimal endpoint's address becomes GET for the endpoint.</summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.Request;
        if (HttpMethods.IsHead(request.Method) && (request.Path.StartsWithSegments(Api.ApiExtensions.Root) || request.Path.StartsWithSegments("/healthz")))
        {
            request.Method = HttpMethods.Get;
            context.Items[WasHead] = true;
        }
        return next(context);
    });

    /// <summary>The method the client sent (HEAD for one routed as GET), for messages and logs.</summary>
    public static string SentMethod(HttpContext context) => context.Items.ContainsKey(WasHead) ? HttpMethods.Head : context.Request.Method;

    /// <summary>The methods an address takes, with HEAD wherever GET is among them.</summary>
    public static List<string> WithHead(IEnumerable<string> methods)
    {
        var all = new SortedSet<string>(methods, StringComparer.Ordinal);
        if (all.Contains(HttpMethods.Get)) all.Add(HttpMethods.Head);
        return [.. all];
    }
}
