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
        /// <summary>Where SurveyJS stores the answer: the question's <c>valueName</c>, else its name.</summary>
        public string AnswerName { get; init; } = "";
        /// <summary>The values the question can give (for a matrix: its columns' values).</summary>
        public Scale Values { get; set; } = Scale.Unknown;
        /// <summary>The values of each column of a multi-column or dynamic matrix, or of each question of a dynamic panel's template.</summary>
        public Dictionary<string, Scale> FieldValues { get; } = new(StringComparer.Ordinal);
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

        var info = new QuestionInfo
        {
            Type = type, Path = path, AnswerName = Str(el, "valueName") is { Length: > 0 } valueName ? valueName : name ?? "",
            Values = ValuesOf(el, type),
        };
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
                ColumnValues(el, info.FieldValues);
                break;
            case "matrixdynamic":
                CheckColumns(el, path, info.Columns, errors);
                ColumnValues(el, info.FieldValues);
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
                foreach (var (field, fieldInfo) in inner) info.FieldValues[field] = fieldInfo.Values;
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
            var answerName = b.Question;
            if (!string.IsNullOrEmpty(b.Question) && questions is not null)
            {
                if (!questions.TryGetValue(b.Question, out var q))
                    errors.Add(Error(path + ".question", "There is no question named \"{0}\".", b.Question));
                else
                {
                    answerName = q.AnswerName;
                    CheckTarget(path, b, q, errors);
                }
            }

            if (errors.Count == before)
            {
                // The same answer feeding two figures would count it twice (two questions may share one valueName).
                var target = $"{answerName}\u001f{b.Row}\u001f{b.Column}";
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
                else if (prop != "factor") CheckScale($"{path}.{prop}", $"{b.Question}.{value}", q.FieldValues.GetValueOrDefault(value, Scale.Unknown), errors);
            }
            return;
        }

        var before = errors.Count;

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
        if (errors.Count != before || q.Type == "expression") return; // an expression's values are computed: nothing to compare

        // The answer must mean what the evidence reads: an indicator on DOMAIN.md's 1–5 scale, a confidence HIGH/MEDIUM/LOW.
        var (values, at, name) = q.Type == "matrixdropdown"
            ? (q.FieldValues.GetValueOrDefault(b.Column!, Scale.Unknown), path + ".column", $"{b.Question}.{b.Column}")
            : (q.Values, path + ".question", b.Question);
        if (b.Kind == BindingKinds.Indicator) CheckScale(at, name, values, errors);
        else if (b.Kind == BindingKinds.Confidence && !values.IsConfidence)
            errors.Add(Error(at, "A confidence binding needs a question whose answers are HIGH, MEDIUM or LOW; \"{0}\" offers other answers.", name));
    }

    private static void CheckScale(string path, string name, Scale values, List<SchemaError> errors)
    {
        if (values.IsOneToFive) return;
        if (values is { Known: true, Min: { } min, Max: { } max })
            errors.Add(Error(path, "This binding needs answers on the 1–5 scale; \"{0}\" offers values from {1} to {2}.", name, Fmt(min), Fmt(max)));
        else
            errors.Add(Error(path, "This binding needs answers on the 1–5 scale; \"{0}\" does not offer numbers from 1 to 5.", name));
    }

    private static string Fmt(double d) => d.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // ---- the values a question can give ----

    /// <summary>
    /// What a question (or matrix column) can answer, as far as the definition fixes it: the lowest and highest number and
    /// any non-numeric values. <see cref="Known"/> is false when the values are not in the definition (free text, choices
    /// loaded from a web service or copied from another question).
    /// </summary>
    private sealed record Scale(bool Known, double? Min, double? Max, IReadOnlySet<string> Texts)
    {
        public static Scale Unknown { get; } = new(false, null, null, new HashSet<string>());

        /// <summary>DOMAIN.md's indicator (and impact/likelihood) scale: numbers from 1 up to 5; other answers give no value.</summary>
        public bool IsOneToFive => Known && Min == Indicators.Min && Max == Indicators.Max;

        public bool IsConfidence => Known && Min is null && Texts.Count > 0 && Texts.All(t => ConfidenceCodes.TryParse(t, out _));
    }

    private static Scale ValuesOf(JsonElement q, string type)
    {
        switch (type)
        {
            case "rating":
                if (Responses.AnswerValidator.UsesRateValues(q, out var rateValues)) return ItemsScale(rateValues, null);
                var (min, max, step) = Responses.AnswerValidator.RatingRange(q);
                return new Scale(true, min, LastStep(min, max, step), new HashSet<string>());
            case "radiogroup" or "dropdown" or "checkbox":
                if (ChoicesFromElsewhere(q)) return Scale.Unknown;
                return ItemsScale(q.TryGetProperty("choices", out var choices) ? choices : default, type == "dropdown" ? GeneratedRange(q) : null);
            case "matrix":
                return ItemsScale(q.TryGetProperty("columns", out var columns) ? columns : default, null);
            case "text":
                return Str(q, "inputType") is "number" or "range" && Num(q, "min") is { } lo && Num(q, "max") is { } hi
                    ? new Scale(true, lo, hi, new HashSet<string>()) : Scale.Unknown;
            default:
                return Scale.Unknown;
        }
    }

    /// <summary>A matrix cell takes its type from the column's <c>cellType</c>, else the matrix's, else dropdown; its choices from the column, else the matrix.</summary>
    private static void ColumnValues(JsonElement matrix, Dictionary<string, Scale> values)
    {
        if (!matrix.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array) return;
        foreach (var col in columns.EnumerateArray())
        {
            if (col.ValueKind != JsonValueKind.Object || Str(col, "name") is not { Length: > 0 } name) continue;
            var cellType = Str(col, "cellType") is { Length: > 0 } ct && ct != "default" ? ct : Str(matrix, "cellType") ?? "dropdown";
            if (cellType is "dropdown" or "radiogroup" or "checkbox")
            {
                var owner = ChoicesFromElsewhere(col) || (col.TryGetProperty("choices", out var cc) && cc.ValueKind == JsonValueKind.Array && cc.GetArrayLength() > 0) ? col : matrix;
                values[name] = ChoicesFromElsewhere(owner) ? Scale.Unknown
                    : ItemsScale(owner.TryGetProperty("choices", out var choices) ? choices : default, cellType == "dropdown" ? GeneratedRange(col) : null);
            }
            else values[name] = ValuesOf(col, cellType);
        }
    }

    private static bool ChoicesFromElsewhere(JsonElement q) =>
        q.TryGetProperty("choicesByUrl", out _) || Str(q, "choicesFromQuestion") is { Length: > 0 } || Str(q, "choiceValuesFromQuestion") is { Length: > 0 };

    /// <summary>The lowest and highest number a dropdown adds after its choices (<c>choicesMin</c> … <c>choicesMax</c> by <c>choicesStep</c>).</summary>
    private static (double Min, double Max)? GeneratedRange(JsonElement dropdown) =>
        Responses.AnswerValidator.GeneratedRange(dropdown) is { } r ? (r.Min, LastStep(r.Min, r.Max, r.Step)) : null;

    /// <summary>The last of <paramref name="min"/>, min + step … that does not pass <paramref name="max"/>.</summary>
    private static double LastStep(double min, double max, double step) => max < min ? max : min + step * Math.Floor((max - min) / step + 1e-9);

    private static Scale ItemsScale(JsonElement items, (double Min, double Max)? generated)
    {
        double? min = generated?.Min, max = generated?.Max;
        var texts = new HashSet<string>(StringComparer.Ordinal);
        if (items.ValueKind == JsonValueKind.Array)
            foreach (var item in items.EnumerateArray())
            {
                var value = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("value", out var v) ? v : item;
                double number;
                if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d)) number = d;
                else if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), System.Globalization.NumberStyles.Float,
                             System.Globalization.CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed)) number = parsed;
                else
                {
                    if (value.ValueKind == JsonValueKind.String) texts.Add(value.GetString()!);
                    continue;
                }
                min = min is { } lo ? Math.Min(lo, number) : number;
                max = max is { } hi ? Math.Max(hi, number) : number;
            }
        return new Scale(true, min, max, texts);
    }

    private static string? Str(JsonElement obj, string property) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Num(JsonElement obj, string property)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(property, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d)) return d;
        if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s)) return s;
        return null;
    }
}
