using System.Text.Json;
using Consultation.Core.Scales;

namespace Consultation.Core.Questionnaires;

/// <summary>One problem in an authored questionnaire; <see cref="Path"/> names the place, e.g. <c>pages[0].elements[3].name</c>.</summary>
public sealed record SchemaError
{
    public string Path { get; init; } = "";
    /// <summary>English text (also the localization key); <see cref="Arguments"/> fill its placeholders.</summary>
    public string Message { get; init; } = "";
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public override string ToString() => $"{Path}: {string.Format(System.Globalization.CultureInfo.InvariantCulture, Message, Arguments.ToArray<object>())}";
}

public sealed record QuestionnaireCheck
{
    public IReadOnlyList<SchemaError> Errors { get; init; } = [];
    public IReadOnlyList<Binding> Bindings { get; init; } = [];
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Validates an authored SurveyJS definition and its bindings before it is saved or published (issue 3):
/// valid JSON, an object with pages/elements, unique question names (a dynamic panel's template is its own
/// scope, as in SurveyJS), only the supported question types, and bindings that point at existing
/// questions, rows and columns. Pure: System.Text.Json only.
/// </summary>
public static class QuestionnaireValidator
{
    public static IReadOnlyList<string> SupportedTypes { get; } =
    [
        "text", "comment", "rating", "radiogroup", "dropdown", "checkbox", "boolean",
        "matrix", "matrixdropdown", "matrixdynamic", "paneldynamic", "panel", "html", "expression",
    ];

    private const int MaxDepth = 16;

    // A property twice in one object is an error: readers disagree on which one counts (SurveyJS takes the last).
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64, AllowDuplicateProperties = false,
    };

    /// <param name="crimeAreas">When given, bindings may only name these crime areas (the round's scope).</param>
    public static QuestionnaireCheck Validate(string? schemaJson, string? bindingsJson, IReadOnlyCollection<string>? crimeAreas = null)
    {
        var errors = new List<SchemaError>();
        var questions = new Dictionary<string, QuestionInfo>(StringComparer.Ordinal);
        var schemaOk = false;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(schemaJson) ? "" : schemaJson, DocumentOptions);
            schemaOk = Readable(doc.RootElement, "$", errors) && CheckSurvey(doc.RootElement, questions, errors);
        }
        catch (JsonException) when (Duplicate(schemaJson!, "$") is { } twice)
        {
            errors.Add(twice);
        }
        catch (JsonException ex)
        {
            errors.Add(Error("$", "The questionnaire is not valid JSON (line {0}, position {1}).",
                ((ex.LineNumber ?? 0) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ((ex.BytePositionInLine ?? 0) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var bindings = new List<Binding>();
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(bindingsJson) ? "[]" : bindingsJson, DocumentOptions);
            if (Readable(doc.RootElement, "bindings", errors)) CheckBindings(doc.RootElement, schemaOk ? questions : null, crimeAreas, bindings, errors);
        }
        catch (JsonException) when (Duplicate(bindingsJson!, "bindings") is { } twice)
        {
            errors.Add(twice);
        }
        catch (JsonException ex)
        {
            errors.Add(Error("bindings", "The bindings are not valid JSON (line {0}, position {1}).",
                ((ex.LineNumber ?? 0) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ((ex.BytePositionInLine ?? 0) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return new QuestionnaireCheck { Errors = errors, Bindings = errors.Count == 0 ? bindings : [] };
    }

    private sealed class QuestionInfo
    {
        public string Type { get; init; } = "";
        public string Path { get; init; } = "";
        public HashSet<string> Rows { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Columns { get; } = new(StringComparer.Ordinal);
        /// <summary>Names of the questions inside a dynamic panel's template.</summary>
        public HashSet<string> TemplateNames { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// False, with an error, when a text or property name holds an unpaired surrogate escape (<c>\uD800</c> alone): valid
    /// JSON that a browser reads (with any markup around it), but no text, so nothing here could read or check it.
    /// </summary>
    private static bool Readable(JsonElement root, string path, List<SchemaError> errors)
    {
        try
        {
            Read(root);
            return true;
        }
        catch (InvalidOperationException)
        {
            errors.Add(Error(path, "A text contains half of a character (an unpaired surrogate escape): remove it."));
            return false;
        }

        static void Read(JsonElement el)
        {
            switch (el.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in el.EnumerateObject())
                    {
                        _ = p.Name;
                        Read(p.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var item in el.EnumerateArray()) Read(item);
                    break;
                case JsonValueKind.String:
                    _ = el.GetString();
                    break;
            }
        }
    }

    private static SchemaError Error(string path, string message, params string[] args) => new() { Path = path, Message = message, Arguments = args };

    /// <summary>
    /// The first property given twice in one object, when that is why the strict parse failed (its exception names
    /// no place): read again with duplicates allowed, and named by its object's path. Null when the JSON is
    /// otherwise invalid.
    /// </summary>
    private static SchemaError? Duplicate(string json, string root)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, DocumentOptions with { AllowDuplicateProperties = true });
            return Find(doc.RootElement, root, 0);
        }
        catch (JsonException)
        {
            return null;
        }

        static SchemaError? Find(JsonElement e, string path, int depth)
        {
            if (depth > 64) return null;
            if (e.ValueKind == JsonValueKind.Object)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                    if (!seen.Add(p.Name)) return Error(path, "\"{0}\" is given twice in the same object: keep one.", p.Name);
                foreach (var p in e.EnumerateObject())
                    if (Find(p.Value, $"{path}.{p.Name}", depth + 1) is { } found) return found;
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in e.EnumerateArray())
                    if (Find(item, $"{path}[{i++}]", depth + 1) is { } found) return found;
            }
            return null;
        }
    }

    private static bool CheckSurvey(JsonElement root, Dictionary<string, QuestionInfo> questions, List<SchemaError> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(Error("$", "The questionnaire must be a JSON object with \"pages\"."));
            return false;
        }
        var before = errors.Count;
        var hasPages = root.TryGetProperty("pages", out var pages);
        var hasElements = root.TryGetProperty("elements", out var rootElements);
        if (!hasPages && !hasElements)
        {
            errors.Add(Error("pages", "The questionnaire needs \"pages\" (or \"elements\")."));
            return false;
        }
        if (hasPages)
        {
            if (pages.ValueKind != JsonValueKind.Array)
                errors.Add(Error("pages", "\"pages\" must be an array."));
            else
            {
                var i = 0;
                foreach (var page in pages.EnumerateArray())
                {
                    var path = $"pages[{i++}]";
                    if (page.ValueKind != JsonValueKind.Object) { errors.Add(Error(path, "A page must be an object.")); continue; }
                    if (page.TryGetProperty("elements", out var els)) CheckElements(els, path + ".elements", questions, errors, 1);
                }
            }
        }
        if (hasElements) CheckElements(rootElements, "elements", questions, errors, 1);
        if (errors.Count == before && questions.Count == 0)
            errors.Add(Error(hasPages ? "pages" : "elements", "The questionnaire has no questions."));
        return errors.Count == before;
    }

    private static void CheckElements(JsonElement elements, string path, Dictionary<string, QuestionInfo> scope, List<SchemaError> errors, int depth)
    {
        if (elements.ValueKind != JsonValueKind.Array) { errors.Add(Error(path, "\"{0}\" must be an array.", LastSegment(path))); return; }
        if (depth > MaxDepth) { errors.Add(Error(path, "Panels are nested too deeply.")); return; }
        var i = 0;
        foreach (var el in elements.EnumerateArray())
            CheckElement(el, $"{path}[{i++}]", scope, errors, depth);
    }

    private static void CheckElement(JsonElement el, string path, Dictionary<string, QuestionInfo> scope, List<SchemaError> errors, int depth)
    {
        if (el.ValueKind != JsonValueKind.Object) { errors.Add(Error(path, "An element must be an object.")); return; }
        if (!el.TryGetProperty("type", out var typeEl) || typeEl.ValueKind != JsonValueKind.String || typeEl.GetString() is not { Length: > 0 } type)
        {
            errors.Add(Error(path + ".type", "Every element needs a \"type\"."));
            return;
        }
        if (!SupportedTypes.Contains(type, StringComparer.Ordinal))
        {
            errors.Add(Error(path + ".type", "Question type \"{0}\" is not supported. Use one of: {1}.", type, string.Join(", ", SupportedTypes)));
            return;
        }

        string? name = null;
        if (el.TryGetProperty("name", out var nameEl))
        {
            if (nameEl.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(nameEl.GetString()))
                errors.Add(Error(path + ".name", "\"name\" must be a non-empty text."));
            else name = nameEl.GetString()!;
        }
        else if (type != "panel")
        {
            errors.Add(Error(path + ".name", "Every question needs a \"name\"."));
        }

        if (type == "panel")
        {
            // A panel groups questions but does not open a new scope: its questions are answered at the top level.
            if (el.TryGetProperty("elements", out var inner)) CheckElements(inner, path + ".elements", scope, errors, depth + 1);
            return;
        }

        var info = new QuestionInfo { Type = type, Path = path };
        if (name is not null)
        {
            if (scope.TryGetValue(name, out var first))
                errors.Add(Error(path + ".name", "The name \"{0}\" is already used by {1}.", name, first.Path));
            else scope[name] = info;
        }

        switch (type)
        {
            case "matrix":
                CheckItems(el, "rows", path, info.Rows, errors, required: true);
                CheckItems(el, "columns", path, info.Columns, errors, required: true);
                break;
            case "matrixdropdown":
                CheckItems(el, "rows", path, info.Rows, errors, required: true);
                CheckColumns(el, path, info.Columns, errors);
                break;
            case "matrixdynamic":
                CheckColumns(el, path, info.Columns, errors);
                break;
            case "radiogroup" or "dropdown" or "checkbox":
                if (el.TryGetProperty("choices", out _)) CheckItems(el, "choices", path, null, errors, required: false);
                break;
            case "rating":
                CheckRating(el, path, errors);
                break;
            case "paneldynamic":
                if (!el.TryGetProperty("templateElements", out var template) || template.ValueKind != JsonValueKind.Array || template.GetArrayLength() == 0)
                {
                    errors.Add(Error(path + ".templateElements", "A dynamic panel needs \"templateElements\" with at least one question."));
                    break;
                }
                // Each panel instance has its own answers, so names inside the template are a scope of their own.
                var inner = new Dictionary<string, QuestionInfo>(StringComparer.Ordinal);
                CheckElements(template, path + ".templateElements", inner, errors, depth + 1);
                info.TemplateNames.UnionWith(inner.Keys);
                break;
        }
    }

    private static void CheckItems(JsonElement el, string property, string path, HashSet<string>? values, List<SchemaError> errors, bool required)
    {
        if (!el.TryGetProperty(property, out var items))
        {
            if (required) errors.Add(Error($"{path}.{property}", "This question needs \"{0}\".", property));
            return;
        }
        if (items.ValueKind != JsonValueKind.Array || (required && items.GetArrayLength() == 0))
        {
            errors.Add(Error($"{path}.{property}", "\"{0}\" must be a non-empty array.", property));
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var itemPath = $"{path}.{property}[{i++}]";
            var value = ItemValue(item);
            if (value is null) { errors.Add(Error(itemPath, "An item must be a text, a number, or an object with \"value\".")); continue; }
            if (!seen.Add(value)) errors.Add(Error(itemPath, "The value \"{0}\" appears twice.", value));
            values?.Add(value);
        }
    }

    private static string? ItemValue(JsonElement item) => item.ValueKind switch
    {
        JsonValueKind.String => item.GetString(),
        JsonValueKind.Number => item.GetRawText(),
        JsonValueKind.Object when item.TryGetProperty("value", out var v) => v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        },
        _ => null,
    };

    private static void CheckColumns(JsonElement el, string path, HashSet<string> names, List<SchemaError> errors)
    {
        if (!el.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array || columns.GetArrayLength() == 0)
        {
            errors.Add(Error(path + ".columns", "This question needs \"columns\" (a non-empty array)."));
            return;
        }
        var i = 0;
        foreach (var col in columns.EnumerateArray())
        {
            var colPath = $"{path}.columns[{i++}]";
            if (col.ValueKind != JsonValueKind.Object || !col.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(n.GetString()))
            {
                errors.Add(Error(colPath + ".name", "Every column needs a \"name\"."));
                continue;
            }
            if (!names.Add(n.GetString()!)) errors.Add(Error(colPath + ".name", "The column name \"{0}\" appears twice.", n.GetString()!));
            if (col.TryGetProperty("cellType", out var cellType) && cellType.ValueKind == JsonValueKind.String
                && !SupportedTypes.Contains(cellType.GetString()!, StringComparer.Ordinal))
                errors.Add(Error(colPath + ".cellType", "Question type \"{0}\" is not supported. Use one of: {1}.", cellType.GetString()!, string.Join(", ", SupportedTypes)));
        }
    }

    private static void CheckRating(JsonElement el, string path, List<SchemaError> errors)
    {
        double? min = null, max = null;
        if (el.TryGetProperty("rateMin", out var a)) { if (a.ValueKind == JsonValueKind.Number) min = a.GetDouble(); else errors.Add(Error(path + ".rateMin", "\"{0}\" must be a number.", "rateMin")); }
        if (el.TryGetProperty("rateMax", out var b)) { if (b.ValueKind == JsonValueKind.Number) max = b.GetDouble(); else errors.Add(Error(path + ".rateMax", "\"{0}\" must be a number.", "rateMax")); }
        if (min is { } lo && max is { } hi && lo >= hi) errors.Add(Error(path + ".rateMax", "\"rateMax\" must be greater than \"rateMin\"."));
        if (el.TryGetProperty("rateValues", out _)) CheckItems(el, "rateValues", path, null, errors, required: false);
    }

    private static string LastSegment(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }

    // ---- bindings ----

    private static void CheckBindings(JsonElement root, Dictionary<string, QuestionInfo>? questions, IReadOnlyCollection<string>? crimeAreas,
        List<Binding> bindings, List<SchemaError> errors)
    {
        if (root.ValueKind != JsonValueKind.Array) { errors.Add(Error("bindings", "The bindings must be a JSON array.")); return; }
        var targets = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in root.EnumerateArray())
        {
            var path = $"bindings[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) { errors.Add(Error(path, "A binding must be an object.")); continue; }
            var b = new Binding
            {
                Kind = Text(item, "kind") ?? "",
                Question = Text(item, "question") ?? "",
                Row = Text(item, "row"),
                Column = Text(item, "column"),
                CrimeArea = Text(item, "crimeArea"),
                Indicator = Text(item, "indicator"),
                Dimension = Text(item, "dimension"),
                Factor = Text(item, "factor"),
                Impact = Text(item, "impact"),
                Likelihood = Text(item, "likelihood"),
            };
            var before = errors.Count;
            if (!BindingKinds.All.Contains(b.Kind, StringComparer.Ordinal))
                errors.Add(Error(path + ".kind", "Unknown binding kind \"{0}\". Use one of: {1}.", b.Kind, string.Join(", ", BindingKinds.All)));

            if (b.Kind is BindingKinds.Indicator or BindingKinds.Confidence)
            {
                if (string.IsNullOrEmpty(b.CrimeArea))
                    errors.Add(Error(path + ".crimeArea", "This binding needs a \"crimeArea\"."));
                else if (crimeAreas is not null && !crimeAreas.Contains(b.CrimeArea, StringComparer.Ordinal))
                    errors.Add(Error(path + ".crimeArea", "The crime area \"{0}\" is not in this round's scope.", b.CrimeArea));
            }
            if (b.Kind == BindingKinds.Indicator && !Indicators.IsKnown(b.Indicator))
                errors.Add(Error(path + ".indicator", "Unknown indicator \"{0}\". Use one of: {1}.", b.Indicator ?? "", string.Join(", ", Indicators.All)));
            if (b.Kind == BindingKinds.PestleFactor && !PestleDimensions.IsKnown(b.Dimension))
                errors.Add(Error(path + ".dimension", "Unknown PESTLE dimension \"{0}\". Use one of: {1}.", b.Dimension ?? "", string.Join(", ", PestleDimensions.All)));

            if (string.IsNullOrEmpty(b.Question))
                errors.Add(Error(path + ".question", "This binding needs a \"question\"."));
            else if (questions is not null)
            {
                if (!questions.TryGetValue(b.Question, out var q))
                    errors.Add(Error(path + ".question", "There is no question named \"{0}\".", b.Question));
                else CheckTarget(path, b, q, errors);
            }

            if (errors.Count == before)
            {
                // The same answer feeding two figures would count it twice.
                var target = $"{b.Question}\u001f{b.Row}\u001f{b.Column}";
                if (!targets.Add(target)) errors.Add(Error(path, "Another binding already reads this answer."));
                bindings.Add(b);
            }
        }
    }

    private static string? Text(JsonElement obj, string property) =>
        obj.TryGetProperty(property, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static void CheckTarget(string path, Binding b, QuestionInfo q, List<SchemaError> errors)
    {
        if (b.Kind == BindingKinds.PestleFactor)
        {
            var fields = q.Type switch { "paneldynamic" => q.TemplateNames, "matrixdynamic" => q.Columns, _ => null };
            if (fields is null)
            {
                errors.Add(Error(path + ".question", "A PESTLE binding needs a dynamic panel or dynamic matrix; \"{0}\" is a {1}.", b.Question, q.Type));
                return;
            }
            foreach (var (prop, value) in new[] { ("factor", b.Factor), ("impact", b.Impact), ("likelihood", b.Likelihood) })
            {
                if (string.IsNullOrEmpty(value)) errors.Add(Error($"{path}.{prop}", "This binding needs \"{0}\".", prop));
                else if (!fields.Contains(value)) errors.Add(Error($"{path}.{prop}", "\"{0}\" has no field named \"{1}\".", b.Question, value));
            }
            return;
        }

        switch (q.Type)
        {
            case "matrix":
                if (string.IsNullOrEmpty(b.Row)) errors.Add(Error(path + ".row", "A binding to a matrix needs a \"row\"."));
                else if (!q.Rows.Contains(b.Row)) errors.Add(Error(path + ".row", "\"{0}\" has no row \"{1}\".", b.Question, b.Row));
                if (b.Column is not null) errors.Add(Error(path + ".column", "A single-choice matrix has no columns to bind; remove \"column\"."));
                break;
            case "matrixdropdown":
                if (string.IsNullOrEmpty(b.Row)) errors.Add(Error(path + ".row", "A binding to a matrix needs a \"row\"."));
                else if (!q.Rows.Contains(b.Row)) errors.Add(Error(path + ".row", "\"{0}\" has no row \"{1}\".", b.Question, b.Row));
                if (string.IsNullOrEmpty(b.Column)) errors.Add(Error(path + ".column", "A binding to a multi-column matrix needs a \"column\"."));
                else if (!q.Columns.Contains(b.Column)) errors.Add(Error(path + ".column", "\"{0}\" has no column \"{1}\".", b.Question, b.Column));
                break;
            case "rating" or "radiogroup" or "dropdown" or "text" or "expression"
                when !(b.Kind == BindingKinds.Confidence && q.Type is "rating" or "text" or "expression"):
                if (b.Row is not null) errors.Add(Error(path + ".row", "\"{0}\" is not a matrix; remove \"row\".", b.Question));
                if (b.Column is not null) errors.Add(Error(path + ".column", "\"{0}\" is not a matrix; remove \"column\".", b.Question));
                break;
            default:
                errors.Add(Error(path + ".question", "A question of type {1} cannot hold this answer (\"{0}\").", b.Question, q.Type));
                break;
        }
    }
}
