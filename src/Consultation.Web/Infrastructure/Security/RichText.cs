using System.Diagnostics.CodeAnalysis;
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
    /// a property twice in one object included (the validator reports that). An HTML text that is not text at all
    /// (an unpaired <c>\uD800</c> escape, which a browser still reads) is left out: it cannot be checked; a definition
    /// that cannot be written back for such a text elsewhere is shown as an empty one (saving refuses both).
    /// </summary>
    public string SanitizeSurveyJson(string json) => Clean(json, out var unreadable) ?? (unreadable ? "{}" : json);

    /// <summary>
    /// <see cref="SanitizeSurveyJson"/> for an author's text, which must be read completely: false when the JSON does
    /// not parse strictly (the validator says why) or an HTML text in it cannot be read as text.
    /// </summary>
    public bool TrySanitizeSurveyJson(string json, [NotNullWhen(true)] out string? sanitized)
    {
        sanitized = Clean(json, out var unreadable);
        if (sanitized is null || unreadable) sanitized = null;
        return sanitized is not null;
    }

    /// <summary>
    /// The sanitized definition (the same string when nothing changed); null when it does not parse, or when it has to
    /// be written back and a text in it cannot be (<paramref name="unreadable"/> then true).
    /// </summary>
    private string? Clean(string json, out bool unreadable)
    {
        unreadable = false;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            return null;
        }
        if (root is null || !SanitizeHtmlProperties(root, ref unreadable)) return json;
        try
        {
            return root.ToJsonString(Indented);
        }
        catch (InvalidOperationException)
        {
            unreadable = true;
            return null;
        }
    }

    // Relaxed: Cyrillic titles stay readable in the editor; the JSON is only ever written HTML-encoded (textarea, data attribute).
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static bool IsHtmlProperty(string name) => name == "html" || name.EndsWith("Html", StringComparison.Ordinal);

    private bool SanitizeHtmlProperties(JsonNode node, ref bool unreadable)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is null) continue;
                    if (IsHtmlProperty(name) && value is JsonValue v)
                        changed |= SanitizeText(v, clean => obj[name] = clean, ref unreadable);
                    else if (IsHtmlProperty(name) && value is JsonObject localized)
                    {
                        foreach (var (locale, text) in localized.ToList())
                            if (text is JsonValue t) changed |= SanitizeText(t, clean => localized[locale] = clean, ref unreadable);
                    }
                    else changed |= SanitizeHtmlProperties(value, ref unreadable);
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                    if (item is not null) changed |= SanitizeHtmlProperties(item, ref unreadable);
                break;
        }
        return changed;
    }

    /// <summary>Replaces one HTML string by its sanitized form (through <paramref name="set"/>); true when that changed it.</summary>
    private bool SanitizeText(JsonValue value, Action<string> set, ref bool unreadable)
    {
        string? html;
        try
        {
            if (!value.TryGetValue(out html)) return false; // a number or true/false: SurveyJS shows it as text
        }
        catch (InvalidOperationException)
        {
            // "\uD800" alone: System.Text.Json refuses to read it, a browser reads it with the markup around it.
            unreadable = true;
            set("");
            return true;
        }
        var clean = Sanitize(html);
        if (clean == html) return false;
        set(clean);
        return true;
    }
}
