using System.Globalization;

namespace Consultation.Web.Infrastructure.Localization;

/// <summary>
/// Writes a message in its recipient's language: switches the current (UI) culture to a portal culture for the
/// <c>using</c> block and restores the request's culture afterwards. An unknown or empty code keeps the current one.
/// </summary>
public sealed class CultureScope : IDisposable
{
    private readonly CultureInfo culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo uiCulture = CultureInfo.CurrentUICulture;

    private CultureScope(string? code)
    {
        if (code is { Length: > 0 } && LocalizationExtensions.Cultures.Any(c => c.Code == code))
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(code);
    }

    public static CultureScope Use(string? code) => new(code);

    public void Dispose()
    {
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = uiCulture;
    }
}
