using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Consultation.Testing;

/// <summary>
/// The real app on a fresh SQLite file in its own temporary folder, sending mail to a real SMTP peer.
/// One per test class (xunit class fixture); demo data is seeded because it runs as Development.
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "consultation-test-" + Guid.NewGuid().ToString("N"));
    public string DatabasePath => Path.Combine(Root, "consultation.db");
    public SmtpPeer Smtp { get; private set; } = null!;

    /// <summary>Extra configuration a test class needs (e.g. a low rate limit).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Smtp = await SmtpPeer.StartAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Development);
        builder.UseSetting("Database:SqlitePath", DatabasePath);
        builder.UseSetting("DataProtection:KeysDirectory", Path.Combine(Root, "keys"));
        builder.UseSetting("Mail:SmtpHost", "127.0.0.1");
        builder.UseSetting("Mail:SmtpPort", Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Mail:Security", "None");
        builder.UseSetting("Mail:PickupDirectory", Path.Combine(Root, "mail"));
        builder.UseSetting("RateLimits:SensitivePostsPerMinute", "1000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    public HttpClient CreateBrowserLikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Form posting the way a browser does it: read the page, take its antiforgery token, post.</summary>
public static partial class Forms
{
    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="__RequestVerificationToken" """)]
    private static partial Regex TokenRegex();

    public static string Token(string html)
    {
        var m = TokenRegex().Match(html);
        if (!m.Success) throw new InvalidOperationException("No antiforgery token on the page.");
        return m.Groups[1].Success && m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : m.Groups[2].Value;
    }

    /// <summary>GETs <paramref name="pageUrl"/>, then POSTs <paramref name="fields"/> with its token to <paramref name="postUrl"/> (default: the same URL).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string pageUrl, IDictionary<string, string> fields, string? postUrl = null)
    {
        var page = await client.GetAsync(pageUrl);
        var html = await page.Content.ReadAsStringAsync();
        if (page.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {pageUrl} returned {(int)page.StatusCode}: {html[..Math.Min(500, html.Length)]}");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = Token(html) };
        return await client.PostAsync(postUrl ?? pageUrl, new FormUrlEncodedContent(form));
    }

    public static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password = Consultation.Web.Operations.DemoData.Password) =>
        PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
}
