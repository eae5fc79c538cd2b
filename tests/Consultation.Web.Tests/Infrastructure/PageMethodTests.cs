using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>
/// A method a page has no handler for is 405 with Allow (GET, HEAD and the methods of its handlers): the portal's error
/// page for a browser, problem+json for a script asking for JSON. Authorization, antiforgery and unknown handlers answer
/// as before.
/// </summary>
public sealed class PageMethodTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private async Task<(HttpClient Client, string Token)> SignedInAsync(string email)
    {
        var client = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(client, email)).StatusCode);
        return (client, Forms.Token(await client.GetStringAsync("/Account/Manage")));
    }

    /// <summary>A request as a form would send it, with this persona's valid antiforgery token.</summary>
    private static HttpRequestMessage Request(string method, string url, string? token, string? accept = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (token is not null)
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        if (accept is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        return request;
    }

    private static string Allow(HttpResponseMessage response) => string.Join(", ", response.Content.Headers.Allow);

    [Theory]
    [InlineData("PUT", "/Rounds", "GET, HEAD")]
    [InlineData("DELETE", "/Rounds", "GET, HEAD")]
    [InlineData("DELETE", "/Rounds/Details/1", "GET, HEAD, POST")]
    [InlineData("PATCH", "/Questionnaires/Edit/1", "GET, HEAD, POST")]
    [InlineData("PUT", "/Evidence/1?handler=Csv", "GET, HEAD, POST")]
    [InlineData("OPTIONS", "/Account/Manage", "GET, HEAD, POST")]
    [InlineData("POST", "/Organisations", "GET, HEAD")] // a GET-only page: no handler would read the form
    [InlineData("POST", "/Evidence/Report/1", "GET, HEAD")]
    public async Task A_method_no_handler_of_the_page_takes_is_405_with_the_error_page_and_Allow(string method, string url, string allow)
    {
        var (client, token) = await SignedInAsync("coordinator@demo.local");
        using var response = await client.SendAsync(Request(method, url, token));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, Allow(response));
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Method not allowed</h1>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", string.Join(" ", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_405_page_is_in_the_readers_language()
    {
        using var request = Request("DELETE", "/Account/Login", null);
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("sq"));
        using var response = await app.CreateBrowserLikeClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("Metoda nuk lejohet", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_without_a_token_to_a_get_only_page_is_405_too()
    {
        var (client, _) = await SignedInAsync("coordinator@demo.local");
        using var response = await client.PostAsync("/Organisations", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("GET, HEAD", Allow(response));
    }

    [Theory]
    [InlineData("PUT", "/Rounds", "GET, HEAD")]
    [InlineData("POST", "/Organisations", "GET, HEAD")]
    [InlineData("DELETE", "/Rounds/Details/1", "GET, HEAD, POST")]
    public async Task A_script_asking_for_json_gets_a_problem_json_405(string method, string url, string allow)
    {
        var (client, token) = await SignedInAsync("coordinator@demo.local");
        using var response = await client.SendAsync(Request(method, url, token, accept: "application/json"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(allow, Allow(response));
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(405, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Method not allowed", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal($"{method} is not allowed here; this page takes {allow}.", problem.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Anonymous_is_sent_to_sign_in_for_any_method_as_for_get_so_a_405_tells_nothing()
    {
        var client = app.CreateBrowserLikeClient();
        foreach (var (method, url) in new[] { ("GET", "/Rounds"), ("PUT", "/Rounds"), ("DELETE", "/Rounds/Details/1"), ("POST", "/Organisations"), ("PUT", "/no-such-page") })
        {
            using var response = await client.SendAsync(Request(method, url, null));
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{method} {url} → {(int)response.StatusCode}");
            Assert.Contains("/Account/Login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.Empty(response.Content.Headers.Allow);
        }
        // A public page is public with any method: its 405 names its methods.
        using var login = await client.SendAsync(Request("PUT", "/Account/Login", null));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, login.StatusCode);
        Assert.Equal("GET, HEAD, POST", Allow(login));
    }

    [Fact]
    public async Task A_signed_in_user_without_the_role_gets_403_for_any_method_as_for_get()
    {
        var (client, token) = await SignedInAsync("respondent@demo.local");
        foreach (var (method, url) in new[] { ("GET", "/Rounds"), ("PUT", "/Rounds"), ("DELETE", "/Admin/Users"), ("POST", "/Organisations") })
        {
            using var response = await client.SendAsync(Request(method, url, method == "GET" ? null : token));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {url} → {(int)response.StatusCode}");
            Assert.Empty(response.Content.Headers.Allow);
        }
    }

    [Fact]
    public async Task Antiforgery_unknown_handlers_get_and_head_answer_as_before()
    {
        var (client, token) = await SignedInAsync("coordinator@demo.local");
        // A page with POST handlers still wants the token.
        using (var noToken = await client.PostAsync("/Rounds/Create", new FormUrlEncodedContent(new Dictionary<string, string>())))
            Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        // POST is a method the page takes; a handler it lacks is not found.
        using (var unknownPost = await client.SendAsync(Request("POST", "/Rounds/Details/1?handler=Nope", token)))
            Assert.Equal(HttpStatusCode.NotFound, unknownPost.StatusCode);
        using (var unknownPostOnly = await client.SendAsync(Request("POST", "/Rounds/Details/1", token)))
            Assert.Equal(HttpStatusCode.NotFound, unknownPostOnly.StatusCode); // its POST handlers all have names
        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/Rounds")))
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using (var get = await client.GetAsync("/Organisations"))
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task A_put_routing_refuses_gets_the_readable_error_page_not_an_empty_answer()
    {
        // The status code pages re-execute the error page as a PUT; it has no PUT handler and still renders.
        var (client, token) = await SignedInAsync("coordinator@demo.local");
        using var response = await client.SendAsync(Request("PUT", "/nope-" + Guid.NewGuid(), token));
        var html = await response.Content.ReadAsStringAsync();
        var title = response.StatusCode switch
        {
            HttpStatusCode.NotFound => "Not found",
            HttpStatusCode.MethodNotAllowed => "Method not allowed",
            _ => throw new Xunit.Sdk.XunitException($"PUT to an unknown address → {(int)response.StatusCode}"),
        };
        Assert.Contains($"<h1>{title}</h1>", html, StringComparison.Ordinal);
    }
}
