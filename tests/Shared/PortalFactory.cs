using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Consultation.Testing;

/// <summary>
/// The real app on a fresh database (a SQLite file in its own temporary folder, or a throw-away PostgreSQL
/// database when <see cref="TestDatabase.IsPostgres"/>), sending mail to a real SMTP peer.
/// One per test class (xunit class fixture); demo data is seeded because it runs as Development.
/// </summary>
public class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly bool _ownsDatabase;
    private TestDatabase? _database;

    public PortalFactory() : this(null) { }

    /// <summary>On <paramref name="database"/> when given (the app after a restart): the caller keeps and disposes it.</summary>
    protected PortalFactory(TestDatabase? database)
    {
        _database = database;
        _ownsDatabase = database is null;
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "consultation-test-" + Guid.NewGuid().ToString("N"));

    /// <summary>The SQLite file (SQLite-only tests: backup, PRAGMA).</summary>
    public string DatabasePath => Database.SqlitePath;

    /// <summary>Where a new database of this factory lives on SQLite.</summary>
    protected virtual string SqliteFile => Path.Combine(Root, "consultation.db");

    public TestDatabase Database => _database ?? throw new InvalidOperationException("InitializeAsync has not run.");
    public SmtpPeer Smtp { get; private set; } = null!;

    /// <summary>A new, not yet opened connection to this app's database (SQLite or PostgreSQL).</summary>
    /// <summary>A connection to the portal's database, migrated and seeded: the portal is started first if no request has.</summary>
    public System.Data.Common.DbConnection Connection()
    {
        _ = Services;
        return Database.Connection();
    }

    /// <summary>Extra configuration a test class needs (e.g. a low rate limit).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        _database ??= await TestDatabase.CreateAsync(SqliteFile);
        Smtp = await SmtpPeer.StartAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Development);
        foreach (var (key, value) in Database.Settings) builder.UseSetting(key, value);
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
        // The peer, the database and the folder go even when the host's shutdown throws (no aiosmtpd left running).
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await Smtp.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (_ownsDatabase && _database is not null) await _database.DisposeAsync();
            try { Directory.Delete(Root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
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

    /// <summary>
    /// Hidden fields a rendered form carries back unchanged: the version an editor started from and a form's one-time key
    /// (what makes a second post of the same form recognisable). Posted like a browser would, unless a test sets them.
    /// </summary>
    public static readonly IReadOnlyList<string> CarriedHiddenFields = ["BaseSavedAt", "Input.BaseGrading", "FormKey", "Freeze.FormKey"];

    /// <summary>The value of the hidden input named <paramref name="name"/> on the page; null when there is none.</summary>
    public static string? Hidden(string html, string name)
    {
        var m = Regex.Match(html, $"<input[^>]*name=\"{Regex.Escape(name)}\"[^>]*>");
        if (!m.Success || !m.Value.Contains("type=\"hidden\"", StringComparison.Ordinal)) return null;
        var value = Regex.Match(m.Value, "value=\"([^\"]*)\"");
        return value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : "";
    }

    /// <summary>The carried hidden fields of <paramref name="html"/> that <paramref name="given"/> does not set.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Carried(string html, IEnumerable<string> given)
    {
        var set = given.ToHashSet(StringComparer.Ordinal);
        foreach (var name in CarriedHiddenFields)
            if (!set.Contains(name) && Hidden(html, name) is { } value) yield return new(name, value);
    }

    /// <summary>GETs <paramref name="pageUrl"/>, then POSTs <paramref name="fields"/> with its token to <paramref name="postUrl"/> (default: the same URL).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string pageUrl, IDictionary<string, string> fields, string? postUrl = null)
    {
        var page = await client.GetAsync(pageUrl);
        var html = await page.Content.ReadAsStringAsync();
        if (page.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {pageUrl} returned {(int)page.StatusCode}: {html[..Math.Min(500, html.Length)]}");
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = Token(html) };
        foreach (var (name, value) in Carried(html, fields.Keys)) form[name] = value;
        return await client.PostAsync(postUrl ?? pageUrl, new FormUrlEncodedContent(form));
    }

    public static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password = Consultation.Web.Operations.DemoData.Password) =>
        PostAsync(client, "/Account/Login", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
}
