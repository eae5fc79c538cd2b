using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Pages.Workshops;

/// <summary>
/// The portal on real Kestrel (SignalR clients need a socket), on a database folder that may outlive the
/// factory: a second factory on the same folder and port is "the server after a restart".
/// </summary>
public class LivePortal : PortalFactory
{
    private readonly string _data;
    private readonly int _port;

    public LivePortal() : this(null, 0) { }

    /// <summary>On <paramref name="database"/> when given (it outlives this app: the caller disposes it).</summary>
    internal LivePortal(string? dataFolder, int port, TestDatabase? database = null) : base(database)
    {
        _data = dataFolder ?? Path.Combine(Root, "data");
        _port = port == 0 ? FreePort() : port;
    }

    public string DataFolder => _data;
    public int Port => _port;
    public Uri BaseUrl { get; private set; } = null!;
    protected override string SqliteFile => Path.Combine(_data, "consultation.db");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("DataProtection:KeysDirectory", Path.Combine(_data, "keys")),
        new("Workshops:BroadcastIntervalMs", "50"),
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(_data);
        UseKestrel(o => o.Listen(IPAddress.Loopback, _port));
        StartServer();
        BaseUrl = ClientOptions.BaseAddress;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

/// <summary>One person with their own cookies: a browser-like HTTP client and hub connections sharing its cookie jar.</summary>
public sealed class Person : IAsyncDisposable
{
    private readonly List<HubConnection> _hubs = [];
    private readonly Uri _baseUrl;
    /// <summary>Keeps retrying every half second for a minute: a restart on a loaded machine can take a while.</summary>
    private sealed class Patient : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            retryContext.ElapsedTime < TimeSpan.FromMinutes(1) ? TimeSpan.FromMilliseconds(retryContext.PreviousRetryCount == 0 ? 0 : 500) : null;
    }

    public Person(Uri baseUrl)
    {
        _baseUrl = baseUrl;
        Http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseUrl };
    }

    public CookieContainer Cookies { get; } = new();
    public HttpClient Http { get; }

    /// <summary>A hub connection carrying this person's cookies, reconnecting for ~10 s after a drop.</summary>
    public HubConnection Hub()
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(_baseUrl, "/hubs/workshop"), o => o.Cookies = Cookies)
            .WithAutomaticReconnect(new Patient())
            .Build();
        _hubs.Add(hub);
        return hub;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var h in _hubs) await h.DisposeAsync();
        Http.Dispose();
    }
}
