using System.Globalization;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Dapper;
using Microsoft.AspNetCore.Localization;

namespace Consultation.Web.Infrastructure.Localization;

public static class LocalizationExtensions
{
    /// <summary>Cultures offered in the switcher. English first; more languages of the region follow.</summary>
    public static readonly IReadOnlyList<(string Code, string NativeName)> Cultures =
    [
        ("en", "English"),
        ("sr-Latn", "Srpski"),
        // Generated from sr-Latn by transliteration (SerbianScript; see ResourceFilesTests).
        ("sr-Cyrl", "Српски"),
        ("mk", "Македонски"),
        ("sq", "Shqip"),
    ];

    public static IServiceCollection AddPortalLocalization(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.AddScoped<DisplayFormat>();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = Cultures.Select(c => new CultureInfo(c.Code)).ToList();
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.FallBackToParentUICultures = true;
            // The signed-in user's profile first (same language on every device), then the switcher's cookie, then
            // ?culture= (invitation and password-reset links carry the recipient's language, so those pages open in
            // it before sign-in), then the browser's Accept-Language as the first guess. Runs after authentication (Program.cs).
            o.RequestCultureProviders =
            [
                new UserProfileCultureProvider(), new CookieRequestCultureProvider(),
                new QueryStringRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return services;
    }

    /// <summary>POST /culture sets the culture cookie and returns to a local URL.</summary>
    public static IEndpointRouteBuilder MapCultureSwitch(this IEndpointRouteBuilder app)
    {
        app.MapPost("/culture", async (HttpContext http, Db db, CurrentUser me, [Microsoft.AspNetCore.Mvc.FromForm] string culture, [Microsoft.AspNetCore.Mvc.FromForm] string? returnUrl) =>
        {
            if (!Cultures.Any(c => c.Code == culture)) return Results.Problem(statusCode: 400, title: "Unknown culture", detail: culture);
            if (me.IsAuthenticated)
            {
                // The choice follows the user to other devices and into the e-mails the portal sends them.
                await using var conn = await db.OpenAsync(http.RequestAborted);
                await conn.ExecuteAsync("UPDATE users SET culture = @culture WHERE id = @Id", new { culture, me.Id });
            }
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Secure = http.Request.IsHttps });
            return Results.LocalRedirect(returnUrl is { Length: > 0 } r && IsLocal(r) ? r : "/");
        }).AllowAnonymous();
        return app;
    }

    /// <summary>The culture saved in the signed-in user's profile (a claim refreshed with the security stamp check).</summary>
    private sealed class UserProfileCultureProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
            Task.FromResult(httpContext.User.FindFirst(CurrentUser.CultureClaim)?.Value is { Length: > 0 } culture && Cultures.Any(c => c.Code == culture)
                ? new ProviderCultureResult(culture)
                : null);
    }

    /// <summary>
    /// The rule Results.LocalRedirect enforces (its IsLocalUrl): a path on this site, not "//host" or "/\\host", and no
    /// control characters — browsers drop a tab or newline, so "/\t/host" would leave the site (and LocalRedirect throws).
    /// </summary>
    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
        && !url.Any(char.IsControl);
}
