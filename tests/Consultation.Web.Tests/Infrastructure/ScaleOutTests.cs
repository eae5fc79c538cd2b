using System.Net;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Consultation.Web.Tests.Infrastructure;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The job lease on the real database: two holders, expiry, renewal, release.</summary>
public sealed class JobLeaseTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    private static readonly DateTimeOffset T0 = new(2030, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(60);

    private (JobLease A, JobLease B, ManualClock Clock) TwoHolders()
    {
        var clock = new ManualClock(T0);
        var db = app.Services.GetRequiredService<Db>();
        return (new JobLease(db, clock, "instance-a"), new JobLease(db, clock, "instance-b"), clock);
    }

    private static string Name() => "test." + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Second_holder_is_refused_while_the_first_holds_the_lease()
    {
        var (a, b, clock) = TwoHolders();
        var name = Name();

        Assert.True(await a.TryAcquireAsync(name, Ttl));
        Assert.False(await b.TryAcquireAsync(name, Ttl));
        clock.Now = T0.AddSeconds(59);
        Assert.False(await b.TryAcquireAsync(name, Ttl));
        Assert.Equal("instance-a", await a.HolderOfAsync(name));
    }

    [Fact]
    public async Task Expired_lease_is_taken_over_by_another_holder_and_the_first_then_loses_it()
    {
        var (a, b, clock) = TwoHolders();
        var name = Name();

        Assert.True(await a.TryAcquireAsync(name, Ttl));
        clock.Now = T0.AddSeconds(60);
        Assert.True(await b.TryAcquireAsync(name, Ttl));
        Assert.Equal("instance-b", await b.HolderOfAsync(name));
        Assert.False(await a.TryAcquireAsync(name, Ttl));
    }

    [Fact]
    public async Task Holder_renews_its_lease_and_keeps_it_past_the_first_expiry()
    {
        var (a, b, clock) = TwoHolders();
        var name = Name();

        Assert.True(await a.TryAcquireAsync(name, Ttl));
        clock.Now = T0.AddSeconds(50);
        Assert.True(await a.TryAcquireAsync(name, Ttl)); // renewal: now + 60 s
        clock.Now = T0.AddSeconds(100);
        Assert.False(await b.TryAcquireAsync(name, Ttl));
        Assert.Equal("instance-a", await b.HolderOfAsync(name));
        clock.Now = T0.AddSeconds(110);
        Assert.True(await b.TryAcquireAsync(name, Ttl));
    }

    [Fact]
    public async Task Released_lease_is_free_at_once_and_only_its_holder_can_release_it()
    {
        var (a, b, _) = TwoHolders();
        var name = Name();

        Assert.True(await a.TryAcquireAsync(name, Ttl));
        await b.ReleaseAsync(name); // not b's: nothing happens
        Assert.False(await b.TryAcquireAsync(name, Ttl));
        await a.ReleaseAsync(name);
        Assert.Null(await a.HolderOfAsync(name));
        Assert.True(await b.TryAcquireAsync(name, Ttl));
    }

    [Fact]
    public async Task Leases_of_different_jobs_are_independent()
    {
        var (a, b, _) = TwoHolders();
        string first = Name(), second = Name();

        Assert.True(await a.TryAcquireAsync(first, Ttl));
        Assert.True(await b.TryAcquireAsync(second, Ttl));
        Assert.False(await a.TryAcquireAsync(second, Ttl));
    }

    [Fact]
    public void Lease_lives_three_passes_and_at_least_a_minute()
    {
        Assert.Equal(TimeSpan.FromMinutes(15), JobLease.TimeToLive(TimeSpan.FromMinutes(5)));
        Assert.Equal(TimeSpan.FromMinutes(1), JobLease.TimeToLive(TimeSpan.FromSeconds(1)));
    }
}

/// <summary>Data Protection keys in the database: what one instance protects, another instance on the same database opens.</summary>
public sealed class DatabaseKeysTests(DatabaseKeysTests.Portal app) : IClassFixture<DatabaseKeysTests.Portal>
{
    public sealed class Portal : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("DataProtection:Store", "Database")];
    }

    /// <summary>A second, independent Data Protection stack reading the same database: "instance B".</summary>
    private static IDataProtectionProvider SecondInstance(Db db)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().SetApplicationName("Consultation");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new DatabaseXmlRepository(db, TimeProvider.System));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }

    [Fact]
    public async Task Keys_are_stored_in_the_database_and_open_on_another_instance()
    {
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("scale-out-test");
        var secret = protector.Protect("issued by instance A");

        var db = app.Services.GetRequiredService<Db>();
        await using (var conn = await db.OpenAsync())
            Assert.True(await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM data_protection_keys") >= 1);
        Assert.False(Directory.Exists(Path.Combine(app.Root, "keys")) && Directory.EnumerateFiles(Path.Combine(app.Root, "keys")).Any());

        Assert.Equal("issued by instance A", SecondInstance(db).CreateProtector("scale-out-test").Unprotect(secret));
    }

    [Fact]
    public async Task Sign_in_cookie_made_with_database_keys_is_accepted()
    {
        var client = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await Forms.LoginAsync(client, "coordinator@demo.local")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Rounds")).StatusCode);
    }

    [Theory]
    [InlineData(null, null, DataProtectionStore.Database)]
    [InlineData(null, "/var/lib/consultation/keys", DataProtectionStore.FileSystem)]
    [InlineData("Database", "/var/lib/consultation/keys", DataProtectionStore.Database)]
    [InlineData("filesystem", null, DataProtectionStore.FileSystem)]
    public void Key_store_follows_configuration(string? store, string? directory, DataProtectionStore expected)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataProtection:Store"] = store, ["DataProtection:KeysDirectory"] = directory,
        }).Build();
        Assert.Equal(expected, SecurityExtensions.KeyStore(config));
    }

    [Fact]
    public void Unknown_key_store_stops_the_start_with_a_clear_message()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DataProtection:Store"] = "Redis" }).Build();
        var ex = Assert.Throws<InvalidOperationException>(() => SecurityExtensions.KeyStore(config));
        Assert.Contains("Database or FileSystem", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>X-Forwarded-For and X-Forwarded-Proto count only when the request comes from a configured proxy.</summary>
public sealed class ForwardedHeadersTests(ForwardedHeadersTests.Portal app) : IClassFixture<ForwardedHeadersTests.Portal>
{
    /// <summary>
    /// The portal behind a proxy at 10.0.0.5 and a proxy network 10.1.0.0/16. A start-up filter (outermost, before
    /// the portal's pipeline) plays the TCP peer from a test header and reports the scheme and client address the
    /// portal saw once its own middleware had run.
    /// </summary>
    public sealed class Portal : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("ForwardedHeaders:KnownProxies:0", "10.0.0.5"),
            new("ForwardedHeaders:KnownNetworks:0", "10.1.0.0/16"),
        ];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddTransient<IStartupFilter, PeerFilter>());
        }
    }

    private sealed class PeerFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers["X-Test-Peer"].ToString());
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers["X-Seen-Scheme"] = context.Request.Scheme;
                    context.Response.Headers["X-Seen-Client"] = context.Connection.RemoteIpAddress?.ToString();
                    return Task.CompletedTask;
                });
                await nextMiddleware(context);
            });
            next(app);
        };
    }

    private async Task<(string Scheme, string Client)> SeenAsync(string peer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Add("X-Test-Peer", peer);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await app.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.GetValues("X-Seen-Scheme").Single(), response.Headers.GetValues("X-Seen-Client").Single());
    }

    [Fact]
    public async Task Headers_from_a_known_proxy_give_the_client_address_and_https()
    {
        Assert.Equal(("https", "203.0.113.7"), await SeenAsync("10.0.0.5"));
    }

    [Fact]
    public async Task Headers_from_a_known_proxy_network_are_honoured()
    {
        Assert.Equal(("https", "203.0.113.7"), await SeenAsync("10.1.200.3"));
    }

    [Fact]
    public async Task Headers_from_anyone_else_are_ignored()
    {
        Assert.Equal(("http", "198.51.100.9"), await SeenAsync("198.51.100.9"));
    }
}
