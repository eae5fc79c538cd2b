using Ganss.Xss;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// The one configured HTML sanitizer for user-written rich text (round descriptions, …). Used before storing
/// and again before showing, so a row written by an older rule set is still safe to render.
/// </summary>
public sealed class RichText
{
    private readonly HtmlSanitizer _sanitizer;

    public RichText()
    {
        _sanitizer = new HtmlSanitizer();
        _sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto" }) _sanitizer.AllowedSchemes.Add(scheme);
        // Inline styles and classes would let authored text imitate the portal's own warnings and buttons.
        _sanitizer.AllowedAttributes.Remove("style");
        _sanitizer.AllowedAttributes.Remove("class");
        _sanitizer.AllowedTags.Remove("img");
        _sanitizer.AllowedTags.Remove("form");
        _sanitizer.AllowedTags.Remove("input");
        _sanitizer.AllowedTags.Remove("button");
        _sanitizer.AllowedTags.Remove("textarea");
        _sanitizer.AllowedTags.Remove("select");
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Html.Dom.IHtmlAnchorElement a) a.SetAttribute("rel", "noopener noreferrer");
        };
    }

    public string Sanitize(string? html) => string.IsNullOrWhiteSpace(html) ? "" : _sanitizer.Sanitize(html).Trim();
}
