using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Consultation.Web.Infrastructure.Security;

public static class SecurityExtensions
{
    public static IServiceCollection AddPortalSecurity(this IServiceCollection services, IHostEnvironment env)
    {
        // Outside Development every cookie is Secure; locally and in tests the portal runs on plain http.
        var secure = env.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
        services.AddScoped<AuditLog>();
        services.AddSingleton<PortalSettings>();

        services.AddIdentity<AppUser, AppRole>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                // "Confirmed" here means not disabled by an administrator (AccountConfirmation): a disabled account
                // cannot sign in, and is told the same as for a wrong password (no account enumeration).
                o.SignIn.RequireConfirmedAccount = true;
            })
            .AddUserStore<UserStore>()
            .AddRoleStore<RoleStore>()
            .AddClaimsPrincipalFactory<AppClaimsFactory>()
            .AddErrorDescriber<LocalizedIdentityErrors>()
            // Reset links and authenticator apps only: the default set also offers SMS and e-mail codes,
            // which need a phone-number store this portal does not have.
            .AddTokenProvider<DataProtectorTokenProvider<AppUser>>(TokenOptions.DefaultProvider)
            .AddTokenProvider<AuthenticatorTokenProvider<AppUser>>(TokenOptions.DefaultAuthenticatorProvider);
        services.Replace(ServiceDescriptor.Scoped<IUserConfirmation<AppUser>, AccountConfirmation>());
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromHours(2));
        // Every request re-checks the security stamp (one indexed read): a password change, reset or role change
        // ends every other session at once, not 30 minutes later.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);
        // …in one query, re-issuing the cookie only when its claims changed (StampValidator).
        services.AddSingleton<UserStateReader>();
        services.Replace(ServiceDescriptor.Singleton<ISecurityStampValidator, StampValidator>());

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/Account/Login";
            o.LogoutPath = "/Account/Logout";
            o.AccessDeniedPath = "/Account/AccessDenied";
            o.Cookie.Name = "consultation.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = secure;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // A signed-in user without the role gets a real 403 (rendered by the status-code page), not a redirect.
            o.Events.OnRedirectToAccessDenied = ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        services.Configure<CookiePolicyOptions>(o =>
        {
            o.HttpOnly = HttpOnlyPolicy.Always;
            o.MinimumSameSitePolicy = SameSiteMode.Lax;
            o.Secure = secure;
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "consultation.af";
            o.Cookie.SecurePolicy = secure;
            o.Cookie.SameSite = SameSiteMode.Lax;
        });

        // Keys persist so sign-in cookies and reset links survive a restart, and are shared by every instance: the
        // application name is fixed (not derived from the content root, which may differ between hosts). Read lazily:
        // tests set the folder late.
        services.AddDataProtection().SetApplicationName("Consultation");
        // The cookie and antiforgery tokens an autosaving respondent sends again and again are decrypted once.
        services.AddRememberedUnprotect();
        services.AddSingleton<DatabaseXmlRepository>();
        services.AddOptions<KeyManagementOptions>().Configure<IConfiguration, IHostEnvironment, ILoggerFactory, IServiceProvider>((o, cfg, host, logs, sp) =>
        {
            if (KeyStore(cfg) == DataProtectionStore.Database)
            {
                o.XmlRepository = sp.GetRequiredService<DatabaseXmlRepository>();
                return;
            }
            var keys = cfg["DataProtection:KeysDirectory"] is { Length: > 0 } k ? k : "data/keys";
            o.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(Path.IsPathRooted(keys) ? keys : Path.Combine(host.ContentRootPath, keys)), logs);
        });

        services.AddAuthorization(Policies.Add);
        services.AddHsts(o => { o.MaxAge = TimeSpan.FromDays(365); o.IncludeSubDomains = true; });
        return services;
    }

    /// <summary>
    /// Where Data Protection keys live: <c>DataProtection:Store</c> when set; otherwise a folder when
    /// <c>DataProtection:KeysDirectory</c> is set (one instance, and the tests), else the database (several instances).
    /// </summary>
    public static DataProtectionStore KeyStore(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var store = config["DataProtection:Store"];
        if (string.IsNullOrEmpty(store))
            return string.IsNullOrEmpty(config["DataProtection:KeysDirectory"]) ? DataProtectionStore.Database : DataProtectionStore.FileSystem;
        return Enum.TryParse<DataProtectionStore>(store, ignoreCase: true, out var s) && Enum.IsDefined(s)
            ? s
            : throw new InvalidOperationException($"DataProtection:Store must be Database or FileSystem, not '{store}'.");
    }
}

public enum DataProtectionStore { Database, FileSystem }
