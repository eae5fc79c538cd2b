using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>
    /// Sanitizes the parts of a SurveyJS definition that SurveyJS renders as HTML: the <c>html</c> question's
    /// <c>html</c> and the survey's <c>…Html</c> texts (<c>completedHtml</c>, <c>completedHtmlOnCondition[].html</c>,
    /// <c>loadingHtml</c>, …), plain or localized (<c>{"default": …, "sr": …}</c>). Every other text SurveyJS
    /// shows as text. Returns the JSON unchanged (same string) when nothing needed cleaning or it does not parse,
    /// a property twice in one object included (the validator reports that).
    /// </summary>
    public string SanitizeSurveyJson(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return json;
        }
        return root is not null && SanitizeHtmlProperties(root) ? root.ToJsonString(Indented) : json;
    }

    // Relaxed: Cyrillic titles stay readable in the editor; the JSON is only ever written HTML-encoded (textarea, data attribute).
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static bool IsHtmlProperty(string name) => name == "html" || name.EndsWith("Html", StringComparison.Ordinal);

    private bool SanitizeHtmlProperties(JsonNode node)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null) continue;
                    if (IsHtmlProperty(name) && value is JsonValue v && v.TryGetValue<string>(out var html))
                    {
                        var clean = Sanitize(html);
                        if (clean != html) { obj[name] = clean; changed = true; }
                    }
                    else if (IsHtmlProperty(name) && value is JsonObject localized)
                    {
                        foreach (var (locale, text) in localized.ToList())
                            if (text is JsonValue t && t.TryGetValue<string>(out var h) && Sanitize(h) is var c && c != h)
                            {
                                localized[locale] = c;
                                changed = true;
                            }
                    }
                    else changed |= SanitizeHtmlProperties(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    if (item is not null) changed |= SanitizeHtmlProperties(item);
                break;
        }
        return changed;
    }
}
