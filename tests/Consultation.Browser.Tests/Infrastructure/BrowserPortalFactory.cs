using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Consultation.Browser.Tests.Infrastructure;

/// <summary>
/// The portal served by real Kestrel on 127.0.0.1 and a port the OS picks: Chromium needs a socket, which
/// the in-memory TestServer does not have. One per test class, like <see cref="PortalFactory"/>.
/// </summary>
public class BrowserPortalFactory : PortalFactory
{
    /// <summary>The real address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The app's warnings and errors, quoted when a browser test fails.</summary>
    public ServerLog ServerLog { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(ServerLog));
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        BaseUrl = ClientOptions.BaseAddress;
        if (BaseUrl.IsLoopback is false || BaseUrl.Port is 0 or 80)
            throw new InvalidOperationException($"Kestrel did not report its loopback address (got {BaseUrl}).");
    }
}
