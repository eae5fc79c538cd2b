using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Consultation.Core.Responses;

/// <summary>One line of a rendered answer: <see cref="Label"/> is empty for a plain answer, a row or field name otherwise.</summary>
public sealed record AnswerLine
{
    public string Label { get; init; } = "";
    public string Value { get; init; } = "";
    /// <summary>True when <see cref="Value"/> is a fixed English word ("Yes", "No", "Other") the page translates.</summary>
    public bool IsKeyword { get; init; }
}

/// <summary>One question of a questionnaire with the respondent's answer, ready to read.</summary>
public sealed record AnswerItem
{
    /// <summary>The key of the answer in the response data (the question's <c>valueName</c> or <c>name</c>).</summary>
    public string Name { get; init; } = "";
    public string Title { get; init; } = "";
    public string PageTitle { get; init; } = "";
    public IReadOnlyList<AnswerLine> Lines { get; init; } = [];
    public bool Answered => Lines.Count > 0;
}

/// <summary>
/// Turns a response's SurveyJS data into question titles with readable answers, from the published definition
/// the response answered (issue 3, "read responses"): choice values become their texts, matrices become one
/// line per row, dynamic panels one line per field. Answers the definition does not know are listed last with
/// their raw JSON, so nothing a respondent sent is hidden. Pure: System.Text.Json only.
/// </summary>
public static class AnswerSheet
{
    private const int MaxDepth = 16;
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <param name="locale">SurveyJS locale to show texts in (<c>sr</c> for Serbian Latin); <c>default</c> otherwise.</param>
    public static IReadOnlyList<AnswerItem> Render(string schemaJson, string? dataJson, string? locale = null)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        using var schema = JsonDocument.Parse(schemaJson, Options);
        using var data = ParseData(dataJson);
        var answers = data.RootElement.ValueKind == JsonValueKind.Object ? data.RootElement : default;
        var items = new List<AnswerItem>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        var root = schema.RootElement;
        if (root.ValueKind == JsonValueKind.Object)
        {
            if (root.TryGetProperty("pages", out var pages) && pages.ValueKind == JsonValueKind.Array)
                foreach (var page in pages.EnumerateArray())
                    if (page.ValueKind == JsonValueKind.Object && page.TryGetProperty("elements", out var els))
                        Walk(els, Text(page, "title", locale) ?? Str(page, "name") ?? "", answers, locale, items, known, 0);
            if (root.TryGetProperty("elements", out var rootEls)) Walk(rootEls, "", answers, locale, items, known, 0);
        }
        if (answers.ValueKind == JsonValueKind.Object)
            foreach (var extra in answers.EnumerateObject())
            {
                if (known.Contains(extra.Name)) continue;
                items.Add(new AnswerItem
                {
                    Name = extra.Name, Title = extra.Name, PageTitle = "",
                    Lines = [new AnswerLine { Value = extra.Value.GetRawText() }],
                });
            }
        return items;
    }

    /// <summary>
    /// The answer keys whose values differ between two versions of the data (added, removed or changed), with a
    /// comment key (<c>q-Comment</c>) reported as its question <c>q</c>. Sorted, distinct.
    /// </summary>
    public static IReadOnlyList<string> ChangedAnswers(string? before, string? after)
    {
        var a = ParseObject(before);
        var b = ParseObject(after);
        var changed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key), StringComparer.Ordinal))
        {
            var x = a[key];
            var y = b[key];
            if (!JsonNode.DeepEquals(x, y)) changed.Add(key.EndsWith("-Comment", StringComparison.Ordinal) ? key[..^"-Comment".Length] : key);
        }
        return [.. changed];
    }

    private static JsonObject ParseObject(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try { return JsonNode.Parse(json) as JsonObject ?? []; }
        catch (JsonException) { return []; }
    }

    private static JsonDocument ParseData(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return JsonDocument.Parse("{}");
        try { return JsonDocument.Parse(json, Options); }
        catch (JsonException) { return JsonDocument.Parse("{}"); }
    }

    private static void Walk(JsonElement elements, string pageTitle, JsonElement answers, string? locale, List<AnswerItem> items, HashSet<string> known, int depth)
    {
        if (elements.ValueKind != JsonValueKind.Array || depth > MaxDepth) return;
        foreach (var el in elements.EnumerateArray())
        {
            if (el.ValueKind != JsonValueKind.Object) continue;
            var type = Str(el, "type");
            if (type == "panel")
            {
                if (el.TryGetProperty("elements", out var inner)) Walk(inner, pageTitle, answers, locale, items, known, depth + 1);
                continue;
            }
            if (type is null or "html" or "image") continue;
            var key = Str(el, "valueName") is { Length: > 0 } vn ? vn : Str(el, "name");
            if (string.IsNullOrEmpty(key)) continue;
            known.Add(key);
            known.Add(key + "-Comment");
            var lines = new List<AnswerLine>();
            if (answers.ValueKind == JsonValueKind.Object && answers.TryGetProperty(key, out var value) && !IsEmpty(value))
                lines.AddRange(Lines(el, value, locale, "", Comment(answers, key), depth));
            if (HasCommentArea(el) && !HasOther(el) && Comment(answers, key) is { Length: > 0 } comment)
                lines.Add(new AnswerLine { Label = Text(el, "commentText", locale) ?? "Comment", Value = comment });
            items.Add(new AnswerItem { Name = key, Title = Text(el, "title", locale) ?? key, PageTitle = pageTitle, Lines = lines });
        }
    }

    private static string? Comment(JsonElement answers, string key) =>
        answers.ValueKind == JsonValueKind.Object && answers.TryGetProperty(key + "-Comment", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;

    private static IEnumerable<AnswerLine> Lines(JsonElement q, JsonElement v, string? locale, string label, string? otherText, int depth)
    {
        if (IsEmpty(v) || depth > MaxDepth) yield break;
        var type = Str(q, "type") ?? "";
        switch (type)
        {
            case "radiogroup" or "dropdown":
                yield return Choice(q, "choices", v, locale, label, otherText);
                break;
            case "checkbox" or "tagbox" or "ranking":
                if (v.ValueKind != JsonValueKind.Array) { yield return Plain(label, v); break; }
                yield return new AnswerLine
                {
                    Label = label,
                    Value = string.Join(", ", v.EnumerateArray().Select(item => Choice(q, "choices", item, locale, "", otherText).Value)),
                };
                break;
            case "rating":
                yield return q.TryGetProperty("rateValues", out var rv) && rv.ValueKind == JsonValueKind.Array && rv.GetArrayLength() > 0
                    ? Choice(q, "rateValues", v, locale, label, null)
                    : Plain(label, v);
                break;
            case "boolean":
                yield return Boolean(q, v, locale, label);
                break;
            case "matrix":
                if (v.ValueKind != JsonValueKind.Object) { yield return Plain(label, v); break; }
                foreach (var (rowKey, rowText) in Rows(q, v, locale))
                    if (v.TryGetProperty(rowKey, out var cell) && !IsEmpty(cell))
                        yield return Choice(q, "columns", cell, locale, Join(label, rowText), null);
                break;
            case "matrixdropdown":
                if (v.ValueKind != JsonValueKind.Object) { yield return Plain(label, v); break; }
                foreach (var (rowKey, rowText) in Rows(q, v, locale))
                    if (v.TryGetProperty(rowKey, out var row))
                        foreach (var line in RowLines(q, row, locale, Join(label, rowText), depth)) yield return line;
                break;
            case "matrixdynamic":
                if (v.ValueKind != JsonValueKind.Array) { yield return Plain(label, v); break; }
                var r = 0;
                foreach (var row in v.EnumerateArray())
                {
                    r++;
                    foreach (var line in RowLines(q, row, locale, Join(label, r.ToString(CultureInfo.InvariantCulture)), depth)) yield return line;
                }
                break;
            case "paneldynamic":
                if (v.ValueKind != JsonValueKind.Array) { yield return Plain(label, v); break; }
                var p = 0;
                foreach (var panel in v.EnumerateArray())
                {
                    p++;
                    if (panel.ValueKind != JsonValueKind.Object || !q.TryGetProperty("templateElements", out var template)) { yield return Plain(label, panel); continue; }
                    foreach (var line in PanelLines(template, panel, locale, Join(label, p.ToString(CultureInfo.InvariantCulture)), depth + 1)) yield return line;
                }
                break;
            default:
                yield return Plain(label, v);
                break;
        }
    }

    private static IEnumerable<AnswerLine> PanelLines(JsonElement template, JsonElement panel, string? locale, string label, int depth)
    {
        if (template.ValueKind != JsonValueKind.Array || depth > MaxDepth) yield break;
        foreach (var el in template.EnumerateArray())
        {
            if (el.ValueKind != JsonValueKind.Object) continue;
            if (Str(el, "type") == "panel")
            {
                if (el.TryGetProperty("elements", out var inner))
                    foreach (var line in PanelLines(inner, panel, locale, label, depth + 1)) yield return line;
                continue;
            }
            var key = Str(el, "valueName") is { Length: > 0 } vn ? vn : Str(el, "name");
            if (string.IsNullOrEmpty(key) || !panel.TryGetProperty(key, out var value)) continue;
            foreach (var line in Lines(el, value, locale, Join(label, Text(el, "title", locale) ?? key), Comment(panel, key), depth + 1)) yield return line;
        }
    }

    private static IEnumerable<AnswerLine> RowLines(JsonElement matrix, JsonElement row, string? locale, string label, int depth)
    {
        if (row.ValueKind != JsonValueKind.Object) { yield return Plain(label, row); yield break; }
        if (!matrix.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array) yield break;
        foreach (var column in columns.EnumerateArray())
        {
            if (column.ValueKind != JsonValueKind.Object || Str(column, "name") is not { Length: > 0 } name) continue;
            if (!row.TryGetProperty(name, out var cell) || IsEmpty(cell)) continue;
            var cellType = Str(column, "cellType") is { Length: > 0 } ct && ct != "default" ? ct : Str(matrix, "cellType") ?? "dropdown";
            var cellLabel = Join(label, Text(column, "title", locale) ?? name);
            if (cellType is "dropdown" or "radiogroup" or "checkbox" or "tagbox")
            {
                var owner = column.TryGetProperty("choices", out var cc) && cc.ValueKind == JsonValueKind.Array && cc.GetArrayLength() > 0 ? column : matrix;
                yield return cell.ValueKind == JsonValueKind.Array
                    ? new AnswerLine { Label = cellLabel, Value = string.Join(", ", cell.EnumerateArray().Select(i => Choice(owner, "choices", i, locale, "", null).Value)) }
                    : Choice(owner, "choices", cell, locale, cellLabel, null);
            }
            else
            {
                var asQuestion = JsonNode.Parse(column.GetRawText())!.AsObject();
                asQuestion["type"] = cellType;
                using var doc = JsonDocument.Parse(asQuestion.ToJsonString());
                foreach (var line in Lines(doc.RootElement.Clone(), cell, locale, cellLabel, null, depth + 1)) yield return line;
            }
        }
    }

    private static IEnumerable<(string Key, string Text)> Rows(JsonElement q, JsonElement v, string? locale)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (q.TryGetProperty("rows", out var rows) && rows.ValueKind == JsonValueKind.Array)
            foreach (var row in rows.EnumerateArray())
            {
                var key = RawValue(row);
                if (key is null || !seen.Add(key)) continue;
                yield return (key, ItemText(row, locale) ?? key);
            }
        // Rows the definition does not name still show, under their key.
        foreach (var p in v.EnumerateObject())
            if (seen.Add(p.Name)) yield return (p.Name, p.Name);
    }

    private static AnswerLine Choice(JsonElement q, string property, JsonElement v, string? locale, string label, string? otherText)
    {
        var key = Key(v);
        if (key == "s:other" && (HasOther(q) || otherText is not null))
            return new AnswerLine { Label = label, Value = otherText is { Length: > 0 } t ? $"Other: {t}" : "Other", IsKeyword = otherText is not { Length: > 0 } };
        if (key == "s:none" && Bool(q, "showNoneItem"))
            return new AnswerLine { Label = label, Value = Text(q, "noneText", locale) ?? "None", IsKeyword = !q.TryGetProperty("noneText", out _) };
        if (q.TryGetProperty(property, out var items) && items.ValueKind == JsonValueKind.Array)
            foreach (var item in items.EnumerateArray())
                if (ItemKey(item) == key) return new AnswerLine { Label = label, Value = ItemText(item, locale) ?? Display(v) };
        return Plain(label, v);
    }

    private static AnswerLine Boolean(JsonElement q, JsonElement v, string? locale, string label)
    {
        var isTrue = q.TryGetProperty("valueTrue", out var t) ? Key(t) == Key(v) : v.ValueKind == JsonValueKind.True;
        var isFalse = q.TryGetProperty("valueFalse", out var f) ? Key(f) == Key(v) : v.ValueKind == JsonValueKind.False;
        if (isTrue) return Text(q, "labelTrue", locale) is { } yes ? new AnswerLine { Label = label, Value = yes } : new AnswerLine { Label = label, Value = "Yes", IsKeyword = true };
        if (isFalse) return Text(q, "labelFalse", locale) is { } no ? new AnswerLine { Label = label, Value = no } : new AnswerLine { Label = label, Value = "No", IsKeyword = true };
        return Plain(label, v);
    }

    private static AnswerLine Plain(string label, JsonElement v) => new() { Label = label, Value = Display(v) };

    private static string Join(string prefix, string part) => prefix.Length == 0 ? part : $"{prefix} — {part}";

    private static bool HasOther(JsonElement q) => Bool(q, "showOtherItem") || Bool(q, "hasOther");
    private static bool HasCommentArea(JsonElement q) => Bool(q, "showCommentArea") || Bool(q, "hasComment");

    private static bool IsEmpty(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.String => string.IsNullOrWhiteSpace(v.GetString()),
        JsonValueKind.Array => v.GetArrayLength() == 0,
        JsonValueKind.Object => !v.EnumerateObject().Any(),
        _ => false,
    };

    /// <summary>A localizable SurveyJS text: a string, or an object of locale → text with <c>default</c>.</summary>
    private static string? Text(JsonElement el, string property, string? locale)
    {
        if (el.ValueKind != JsonValueKind.Object || !el.TryGetProperty(property, out var t)) return null;
        return LocalText(t, locale);
    }

    private static string? LocalText(JsonElement t, string? locale)
    {
        if (t.ValueKind == JsonValueKind.String) return t.GetString();
        if (t.ValueKind != JsonValueKind.Object) return null;
        foreach (var l in new[] { locale, "default", "en" })
            if (l is not null && t.TryGetProperty(l, out var s) && s.ValueKind == JsonValueKind.String) return s.GetString();
        return t.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => p.Value.GetString()).FirstOrDefault();
    }

    private static string? ItemText(JsonElement item, string? locale) =>
        item.ValueKind == JsonValueKind.Object
            ? (item.TryGetProperty("text", out var t) ? LocalText(t, locale) : null) ?? RawValue(item)
            : RawValue(item);

    private static string? RawValue(JsonElement item)
    {
        var v = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("value", out var inner) ? inner : item;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    private static string ItemKey(JsonElement item) =>
        Key(item.ValueKind == JsonValueKind.Object && item.TryGetProperty("value", out var inner) ? inner : item);

    /// <summary>Values compare by kind and text, as SurveyJS stores them: 3 and "3" are different answers.</summary>
    private static string Key(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "s:" + v.GetString(),
        JsonValueKind.Number => "n:" + v.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.True => "b:true",
        JsonValueKind.False => "b:false",
        _ => "j:" + v.GetRawText(),
    };

    private static string Display(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString() ?? "",
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => v.GetRawText(),
    };

    private static string? Str(JsonElement el, string property) =>
        el.ValueKind == JsonValueKind.Object && el.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement el, string property) =>
        el.ValueKind == JsonValueKind.Object && el.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.True;
}
