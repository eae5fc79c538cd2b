using System.Globalization;
using Consultation.Web.Infrastructure.Security;

namespace Consultation.Web.Workshops;

/// <summary>
/// A participant's identity in one workshop: a random token in an HttpOnly cookie, only its SHA-256 in the
/// database (0003). One cookie per workshop, so a person can take part in two workshops from one browser.
/// </summary>
public static class ParticipantCookie
{
    public static string Name(long workshopId) => "consultation.wp" + workshopId.ToString(CultureInfo.InvariantCulture);

    public static string? TokenHash(HttpRequest request, long workshopId) =>
        request.Cookies.TryGetValue(Name(workshopId), out var token) && token is { Length: > 20 and < 100 } ? Tokens.Hash(token) : null;

    /// <summary>Sets a fresh token and returns its hash for the database.</summary>
    public static string Issue(HttpResponse response, long workshopId, int days, bool secure)
    {
        var token = Tokens.New();
        response.Cookies.Append(Name(workshopId), token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = secure,
            IsEssential = true,
            Path = "/",
            MaxAge = TimeSpan.FromDays(days),
        });
        return Tokens.Hash(token);
    }
}
