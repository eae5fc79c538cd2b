using System.Net;
using System.Net.Sockets;
using System.Text;
using Consultation.Web.Tests.Pages.Workshops;
using static Consultation.Web.Tests.Api.ApiTestKit;

namespace Consultation.Web.Tests.Api;

/// <summary>
/// HEAD wherever GET is answered: an uptime monitor's <c>HEAD /healthz</c> and a client's HEAD on the API's reads were
/// 405s (minimal endpoints declared GET only). On real Kestrel, to see on the wire that no body follows the headers.
/// </summary>
public sealed class HeadRequestTests(LivePortal app) : IClassFixture<LivePortal>
{
    [Fact]
    public async Task Head_on_healthz_is_200_with_the_headers_and_no_body()
    {
        var reply = await RawAsync($"HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200", reply, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain", reply, StringComparison.OrdinalIgnoreCase);
        // Nothing after the blank line that ends the headers (a GET's body is "ok").
        Assert.EndsWith("\r\n\r\n", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Head_on_an_api_read_is_authorized_like_the_get_and_sends_no_body()
    {
        var token = await TokenAsync(app, "admin");

        var anonymous = await Client(app, null).SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/rounds"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var reply = await RawAsync($"HEAD /api/v1/rounds HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", reply, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", reply, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("\r\n\r\n", reply, StringComparison.Ordinal);
        var get = await Client(app, token).GetAsync("/api/v1/rounds");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.StartsWith("[{", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal); // the GET does have the body

        var document = await Client(app, null).SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/openapi.json"));
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    [Fact]
    public async Task Head_where_only_post_is_taken_is_a_405_that_names_head()
    {
        var token = await TokenAsync(app, "admin");

        var response = await Client(app, token).SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/v1/rounds/1/responses/import"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", string.Join(",", response.Content.Headers.Allow));
        // And on the wire the problem's body is not sent either; a GET there says which method it refused.
        var get = await ProblemAsync(await Client(app, token).GetAsync("/api/v1/rounds/1/responses/import"), HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET is not allowed here", get.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Sends one request as written and reads the whole reply (the server closes the connection).</summary>
    private async Task<string> RawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, app.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
