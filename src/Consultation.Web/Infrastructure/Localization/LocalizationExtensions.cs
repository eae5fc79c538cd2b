using System.Globalization;
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
    ];

    public static IServiceCollection AddPortalLocalization(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            var cultures = Cultures.Select(c => new CultureInfo(c.Code)).ToList();
            o.DefaultRequestCulture = new RequestCulture("en");
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.FallBackToParentUICultures = true;
            // Cookie (the switcher) first, then the browser's Accept-Language as the first guess.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        return services;
    }

    /// <summary>POST /culture sets the culture cookie and returns to a local URL.</summary>
    public static IEndpointRouteBuilder MapCultureSwitch(this IEndpointRouteBuilder app)
    {
        app.MapPost("/culture", (HttpContext http, [Microsoft.AspNetCore.Mvc.FromForm] string culture, [Microsoft.AspNetCore.Mvc.FromForm] string? returnUrl) =>
        {
            if (!Cultures.Any(c => c.Code == culture)) return Results.Problem(statusCode: 400, title: "Unknown culture", detail: culture);
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Secure = http.Request.IsHttps });
            return Results.LocalRedirect(returnUrl is { Length: > 0 } r && IsLocal(r) ? r : "/");
        }).AllowAnonymous();
        return app;
    }

    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
