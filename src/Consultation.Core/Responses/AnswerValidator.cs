using System.Globalization;
using System.Text.Json;

namespace Consultation.Core.Responses;

/// <summary>
/// One problem in a respondent's answers. <see cref="Question"/> is the top-level question name (where the form
/// shows the error); <see cref="Path"/> points inside it (<c>pestle_LEGAL[0].impact</c>, <c>DRUGS_indicators.SCOPE</c>).
/// </summary>
public sealed record AnswerError
{
    public string Question { get; init; } = "";
    public string Path { get; init; } = "";
    /// <summary>English text (also the localization key); <see cref="Arguments"/> fill its placeholders.</summary>
    public string Message { get; init; } = "";
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public override string ToString() => $"{Path}: {string.Format(CultureInfo.InvariantCulture, Message, Arguments.ToArray<object>())}";
}

/// <summary>
/// Checks a respondent's answers against the published SurveyJS definition on the server — the browser's own
/// validation is a convenience, never trusted (issue 3, "Submit"). Covers required questions (also
/// <c>isAllRowRequired</c> matrices and required template questions of dynamic panels), value types, choices,
/// rating and numeric ranges, matrix rows/columns/cells, dynamic panels and matrices recursively, and answers to
/// questions the definition does not have. Conditional logic (<c>visibleIf</c>, <c>requiredIf</c>) is not
/// evaluated: a question carrying a condition, or inside a page or panel that carries one, is never required here,
/// so the server does not refuse what the form legitimately hid. Pure: System.Text.Json only.
/// </summary>
public static class AnswerValidator
{
    /// <summary>Answers larger than this are refused before parsing (a questionnaire is text, not files).</summary>
    public const int MaxDataLength = 1_000_000;

    private const int MaxDepth = 16;
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>True when <paramref name="dataJson"/> is a JSON object of acceptable size (what a draft needs).</summary>
    public static bool IsAnswerObject(string? dataJson)
    {
        if (string.IsNullOrWhiteSpace(dataJson) || dataJson.Length > MaxDataLength) return false;
        try
        {
            using var doc = JsonDocument.Parse(dataJson, Options);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException) { return false; }
    }

    /// <summary>
    /// A questionnaire definition parsed once and indexed by question: what <see cref="Validate(CompiledSchema, string?)"/>
    /// checks answers against. Immutable and safe to share between threads (a published version never changes, so
    /// the caller may keep one per version).
    /// </summary>
    public sealed class CompiledSchema
    {
        internal CompiledSchema(Dictionary<string, SchemaQuestion> questions, IReadOnlyDictionary<string, string> titles)
        {
            Questions = questions;
            Titles = titles;
        }

        internal Dictionary<string, SchemaQuestion> Questions { get; }

        /// <summary>The definition's localized titles (<see cref="Questionnaires.SurveyTitle.Titles"/>), for texts such as the receipt.</summary>
        public IReadOnlyDictionary<string, string> Titles { get; }
    }

    /// <summary>Parses and indexes <paramref name="schemaJson"/> for <see cref="Validate(CompiledSchema, string?)"/>.</summary>
    public static CompiledSchema Compile(string schemaJson)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        using var schema = JsonDocument.Parse(schemaJson, Options);
        // Clone: the questions outlive the document (a cloned element owns its own copy of the JSON).
        var root = schema.RootElement.Clone();
        var questions = new Dictionary<string, SchemaQuestion>(StringComparer.Ordinal);
        CollectSurvey(root, questions);
        return new CompiledSchema(questions, Questionnaires.SurveyTitle.Titles(root));
    }

    /// <summary>Validates <paramref name="dataJson"/> for submission against <paramref name="schemaJson"/>.</summary>
    public static IReadOnlyList<AnswerError> Validate(string schemaJson, string? dataJson) => Validate(Compile(schemaJson), dataJson);

    /// <summary>Validates <paramref name="dataJson"/> for submission against a compiled definition.</summary>
    public static IReadOnlyList<AnswerError> Validate(CompiledSchema schema, string? dataJson)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var errors = new List<AnswerError>();
        if (string.IsNullOrWhiteSpace(dataJson) || dataJson.Length > MaxDataLength)
        {
            errors.Add(Error("", "", "The answers must be a JSON object."));
            return errors;
        }
        JsonDocument data;
        try { data = JsonDocument.Parse(dataJson, Options); }
        catch (JsonException)
        {
            errors.Add(Error("", "", "The answers are not valid JSON."));
            return errors;
        }
        using (data)
        {
            if (data.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(Error("", "", "The answers must be a JSON object."));
                return errors;
            }
            CheckScope(schema.Questions, data.RootElement, null, "", errors, 0);
        }
        return errors;
    }

    private static AnswerError Error(string question, string path, string message, params string[] args) =>
        new() { Question = question, Path = path, Message = message, Arguments = args };

    // ---- the definition ----

    /// <summary>
    /// A question of one naming scope. <see cref="InConditionalContainer"/>: a page or panel around it may be hidden or
    /// disabled by the form (<c>visibleIf</c>, <c>enableIf</c>, <c>visible: false</c>), and a question the form hides
    /// with its container is not required there either.
    /// </summary>
    internal readonly record struct SchemaQuestion(JsonElement Definition, bool InConditionalContainer);

    private static void CollectSurvey(JsonElement root, Dictionary<string, SchemaQuestion> questions)
    {
        if (root.ValueKind != JsonValueKind.Object) return;
        if (root.TryGetProperty("pages", out var pages) && pages.ValueKind == JsonValueKind.Array)
            foreach (var page in pages.EnumerateArray())
                if (page.ValueKind == JsonValueKind.Object && page.TryGetProperty("elements", out var els))
                    CollectElements(els, questions, Conditional(page), 0);
        if (root.TryGetProperty("elements", out var rootEls)) CollectElements(rootEls, questions, false, 0);
    }

    /// <summary>
    /// Questions of one naming scope; plain panels are flattened into it, as in SurveyJS's data, but each question
    /// remembers whether a container around it (<paramref name="conditional"/>) carries a condition.
    /// </summary>
    private static void CollectElements(JsonElement elements, Dictionary<string, SchemaQuestion> questions, bool conditional, int depth)
    {
        if (elements.ValueKind != JsonValueKind.Array || depth > MaxDepth) return;
        foreach (var el in elements.EnumerateArray())
        {
            if (el.ValueKind != JsonValueKind.Object) continue;
            var type = Str(el, "type");
            if (type == "panel")
            {
                if (el.TryGetProperty("elements", out var inner)) CollectElements(inner, questions, conditional || Conditional(el), depth + 1);
                continue;
            }
            if (type is null or "html" or "image") continue;
            if (Str(el, "valueName") is { Length: > 0 } valueName) questions[valueName] = new SchemaQuestion(el, conditional);
            else if (Str(el, "name") is { Length: > 0 } name) questions[name] = new SchemaQuestion(el, conditional);
        }
    }

    /// <summary>True when the form may hide or disable this element (and so everything inside it).</summary>
    private static bool Conditional(JsonElement el) =>
        el.TryGetProperty("visibleIf", out _) || el.TryGetProperty("enableIf", out _)
        || (el.TryGetProperty("visible", out var visible) && visible.ValueKind == JsonValueKind.False);

    // ---- the answers ----

    private static void CheckScope(Dictionary<string, SchemaQuestion> questions, JsonElement answers, string? top, string prefix,
        List<AnswerError> errors, int depth)
    {
        foreach (var prop in answers.EnumerateObject())
        {
            var name = prop.Name;
            var question = top ?? name;
            if (questions.TryGetValue(name, out var q))
            {
                CheckValue(q.Definition, prop.Value, question, prefix + name, errors, depth);
                continue;
            }
            // SurveyJS keeps the text of "Other" and comment areas beside the answer as "<name>-Comment".
            if (name.EndsWith("-Comment", StringComparison.Ordinal)
                && questions.TryGetValue(name[..^"-Comment".Length], out var owner) && HasCommentArea(owner.Definition))
            {
                if (prop.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    errors.Add(Error(top ?? name[..^"-Comment".Length], prefix + name, "This answer must be text."));
                continue;
            }
            errors.Add(Error(question, prefix + name, "The questionnaire has no question \"{0}\".", name));
        }
        foreach (var (name, q) in questions)
        {
            if (q.InConditionalContainer || !IsRequired(q.Definition)) continue;
            if (!answers.TryGetProperty(name, out var v) || IsEmpty(v))
                errors.Add(Error(top ?? name, prefix + name, "An answer is required."));
        }
    }

    internal static bool HasCommentArea(JsonElement q) =>
        Bool(q, "showOtherItem") || Bool(q, "hasOther") || Bool(q, "showCommentArea") || Bool(q, "hasComment");

    private static bool IsRequired(JsonElement q) => Bool(q, "isRequired") && !Conditional(q);

    private static bool IsEmpty(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.String => string.IsNullOrWhiteSpace(v.GetString()),
        JsonValueKind.Array => v.GetArrayLength() == 0,
        JsonValueKind.Object => !v.EnumerateObject().Any(),
        _ => false,
    };

    private static void CheckValue(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors, int depth)
    {
        if (v.ValueKind == JsonValueKind.Null) return; // "no answer"; required is checked by the scope
        if (depth > MaxDepth) { errors.Add(Error(question, path, "The answer is nested too deeply.")); return; }
        var type = Str(q, "type") ?? "";
        switch (type)
        {
            case "text":
                CheckText(q, v, question, path, errors);
                break;
            case "comment":
                if (v.ValueKind != JsonValueKind.String) errors.Add(Error(question, path, "This answer must be text."));
                else CheckMaxLength(q, v, question, path, errors);
                break;
            case "rating":
                CheckRating(q, v, question, path, errors);
                break;
            case "radiogroup" or "dropdown":
                CheckChoice(q, "choices", v, question, path, errors, allowOther: HasOther(q), generated: type == "dropdown" ? q : null);
                break;
            case "checkbox":
                if (v.ValueKind != JsonValueKind.Array) { errors.Add(Error(question, path, "This answer must be a list of choices.")); break; }
                foreach (var item in v.EnumerateArray()) CheckChoice(q, "choices", item, question, path, errors, allowOther: HasOther(q));
                break;
            case "boolean":
                CheckBoolean(q, v, question, path, errors);
                break;
            case "matrix":
                CheckMatrix(q, v, question, path, errors);
                break;
            case "matrixdropdown":
                CheckMatrixDropdown(q, v, question, path, errors, depth);
                break;
            case "matrixdynamic":
                CheckDynamicRows(q, v, question, path, errors, depth);
                break;
            case "paneldynamic":
                CheckDynamicPanels(q, v, question, path, errors, depth);
                break;
            case "expression":
                // Computed by the form; a scalar is all it can be.
                if (v.ValueKind is JsonValueKind.Object or JsonValueKind.Array) errors.Add(Error(question, path, "This answer must be a single value."));
                break;
            default:
                errors.Add(Error(question, path, "The question \"{0}\" cannot hold an answer.", question));
                break;
        }
    }

    private static bool HasOther(JsonElement q) => Bool(q, "showOtherItem") || Bool(q, "hasOther");

    private static readonly string[] NumericInputTypes = ["number", "range"];

    private static void CheckText(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors)
    {
        var inputType = Str(q, "inputType") ?? "text";
        if (NumericInputTypes.Contains(inputType, StringComparer.Ordinal))
        {
            double number;
            if (v.ValueKind == JsonValueKind.Number) number = v.GetDouble();
            else if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) number = parsed;
            else { errors.Add(Error(question, path, "This answer must be a number.")); return; }
            if (!double.IsFinite(number)) { errors.Add(Error(question, path, "This answer must be a number.")); return; }
            var min = Num(q, "min");
            var max = Num(q, "max");
            if ((min is { } lo && number < lo) || (max is { } hi && number > hi))
                errors.Add(Error(question, path, "The value must be between {0} and {1}.", Fmt(min), Fmt(max)));
            return;
        }
        if (v.ValueKind != JsonValueKind.String) { errors.Add(Error(question, path, "This answer must be text.")); return; }
        CheckMaxLength(q, v, question, path, errors);
    }

    private static void CheckMaxLength(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors)
    {
        if (Num(q, "maxLength") is { } max && max > 0 && v.GetString()!.Length > max)
            errors.Add(Error(question, path, "The answer is longer than {0} characters.", Fmt(max)));
    }

    private static void CheckRating(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors)
    {
        if (UsesRateValues(q, out var values))
        {
            if (!ItemValues(values).Contains(Key(v)))
                errors.Add(Error(question, path, "\"{0}\" is not one of the offered choices.", Display(v)));
            return;
        }
        if (v.ValueKind != JsonValueKind.Number) { errors.Add(Error(question, path, "This answer must be a number.")); return; }
        var number = v.GetDouble();
        var (min, max, step) = RatingRange(q);
        var offStep = Math.Abs(Math.IEEERemainder(number - min, step)) > 1e-9;
        if (number < min || number > max || offStep)
            errors.Add(Error(question, path, "The value must be between {0} and {1}.", Fmt(min), Fmt(max)));
    }

    /// <summary>
    /// A rating offers its <c>rateValues</c> unless they are empty or <c>autoGenerate</c> is true (SurveyJS turns
    /// autoGenerate off when it reads rateValues without it).
    /// </summary>
    internal static bool UsesRateValues(JsonElement rating, out JsonElement rateValues) =>
        rating.TryGetProperty("rateValues", out rateValues) && rateValues.ValueKind == JsonValueKind.Array && rateValues.GetArrayLength() > 0
        && !Bool(rating, "autoGenerate");

    /// <summary>
    /// The numbers a rating without rateValues offers, as SurveyJS reads its definition: rateMin (1) to rateMax (5) by
    /// rateStep (1); a <c>rateCount</c> (2–20) beside only one of rateMin and rateMax sets the other one.
    /// </summary>
    internal static (double Min, double Max, double Step) RatingRange(JsonElement rating)
    {
        var step = Num(rating, "rateStep") is { } s && s > 0 ? s : 1;
        var min = Num(rating, "rateMin");
        var max = Num(rating, "rateMax");
        if (Num(rating, "rateCount") is { } count)
        {
            count = Math.Clamp(count, 2, 20);
            if (min is { } lo && max is null) max = lo + step * (count - 1);
            else if (max is { } hi && min is null) min = hi - step * (count - 1);
        }
        return (min ?? 1, max ?? 5, step);
    }

    private static void CheckBoolean(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors)
    {
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        if (q.TryGetProperty("valueTrue", out var t)) allowed.Add(Key(t)); else allowed.Add("b:true");
        if (q.TryGetProperty("valueFalse", out var f)) allowed.Add(Key(f)); else allowed.Add("b:false");
        if (!allowed.Contains(Key(v))) errors.Add(Error(question, path, "This answer must be yes or no."));
    }

    /// <param name="generated">
    /// A dropdown (question or column) whose <c>choicesMin</c>/<c>choicesMax</c>/<c>choicesStep</c> add numeric choices
    /// after its <c>choices</c>, as SurveyJS generates them; null for question types that have no such range.
    /// </param>
    private static void CheckChoice(JsonElement q, string property, JsonElement v, string question, string path, List<AnswerError> errors, bool allowOther,
        JsonElement? generated = null)
    {
        if (v.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            errors.Add(Error(question, path, "This answer must be a single value."));
            return;
        }
        // Choices loaded by the browser from a web service or copied from another question are not in this definition:
        // the server cannot list them, so any single value passes rather than refusing what the form offered.
        if (ChoicesFromElsewhere(q)) return;
        var key = Key(v);
        if (allowOther && key == "s:other") return;
        if (Bool(q, "showNoneItem") && key == "s:none") return;
        if (generated is { } owner && InGeneratedRange(owner, v)) return;
        if (!q.TryGetProperty(property, out var choices) || choices.ValueKind != JsonValueKind.Array || !ItemValues(choices).Contains(key))
            errors.Add(Error(question, path, "\"{0}\" is not one of the offered choices.", Display(v)));
    }

    private static bool ChoicesFromElsewhere(JsonElement q) =>
        q.ValueKind == JsonValueKind.Object
        && (q.TryGetProperty("choicesByUrl", out _) || Str(q, "choicesFromQuestion") is { Length: > 0 } || Str(q, "choiceValuesFromQuestion") is { Length: > 0 });

    /// <summary>
    /// SurveyJS's dropdown offers <c>choicesMin</c>, <c>choicesMin + choicesStep</c> … up to <c>choicesMax</c> besides its
    /// <c>choices</c> when <c>choicesMax</c> is greater than <c>choicesMin</c> (defaults 0, 0 and a step of 1; a step below 1 is 1).
    /// </summary>
    internal static bool InGeneratedRange(JsonElement dropdown, JsonElement v)
    {
        if (GeneratedRange(dropdown) is not { } range) return false;
        double x;
        if (v.ValueKind == JsonValueKind.Number) x = v.GetDouble();
        else if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)) x = parsed;
        else return false;
        if (!double.IsFinite(x) || x < range.Min || x > range.Max) return false;
        return Math.Abs(Math.IEEERemainder(x - range.Min, range.Step)) < 1e-9;
    }

    /// <summary>The numeric choices a dropdown generates (<see cref="InGeneratedRange"/>), or null when it generates none.</summary>
    internal static (double Min, double Max, double Step)? GeneratedRange(JsonElement dropdown)
    {
        var min = Num(dropdown, "choicesMin") ?? 0;
        var max = Num(dropdown, "choicesMax") ?? 0;
        var step = Num(dropdown, "choicesStep") ?? 1;
        if (step < 1) step = 1;
        return max > min ? (min, max, step) : null;
    }

    private static void CheckMatrix(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors)
    {
        if (v.ValueKind != JsonValueKind.Object) { errors.Add(Error(question, path, "This answer must be a table of rows.")); return; }
        var rows = q.TryGetProperty("rows", out var r) ? ItemValues(r) : [];
        var columns = q.TryGetProperty("columns", out var c) ? ItemValues(c) : [];
        foreach (var cell in v.EnumerateObject())
        {
            if (!rows.Contains("s:" + cell.Name) && !rows.Contains(NumberKey(cell.Name)))
                errors.Add(Error(question, $"{path}.{cell.Name}", "The table has no row \"{0}\".", cell.Name));
            else if (cell.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array || !columns.Contains(Key(cell.Value)))
                errors.Add(Error(question, $"{path}.{cell.Name}", "\"{0}\" is not one of the offered choices.", Display(cell.Value)));
        }
        if (Bool(q, "isAllRowRequired") && q.TryGetProperty("rows", out var rowItems) && rowItems.ValueKind == JsonValueKind.Array)
            foreach (var row in rowItems.EnumerateArray())
            {
                var name = RawValue(row);
                if (name is null) continue;
                if (!v.TryGetProperty(name, out var cell) || IsEmpty(cell))
                    errors.Add(Error(question, $"{path}.{name}", "Answer every row of this table."));
            }
    }

    private static void CheckMatrixDropdown(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors, int depth)
    {
        if (v.ValueKind != JsonValueKind.Object) { errors.Add(Error(question, path, "This answer must be a table of rows.")); return; }
        var rows = q.TryGetProperty("rows", out var r) ? ItemValues(r) : [];
        foreach (var row in v.EnumerateObject())
        {
            if (!rows.Contains("s:" + row.Name) && !rows.Contains(NumberKey(row.Name)))
            {
                errors.Add(Error(question, $"{path}.{row.Name}", "The table has no row \"{0}\".", row.Name));
                continue;
            }
            CheckMatrixRow(q, row.Value, question, $"{path}.{row.Name}", errors, depth);
        }
        if (Bool(q, "isAllRowRequired") && q.TryGetProperty("rows", out var rowItems) && rowItems.ValueKind == JsonValueKind.Array)
            foreach (var row in rowItems.EnumerateArray())
            {
                var name = RawValue(row);
                if (name is null) continue;
                if (!v.TryGetProperty(name, out var cells) || IsEmpty(cells))
                    errors.Add(Error(question, $"{path}.{name}", "Answer every row of this table."));
            }
        CheckRequiredColumns(q, v.EnumerateObject().Select(p => (p.Name, p.Value)), question, path, errors);
    }

    private static void CheckDynamicRows(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors, int depth)
    {
        if (v.ValueKind != JsonValueKind.Array) { errors.Add(Error(question, path, "This answer must be a list of rows.")); return; }
        if (Num(q, "maxRowCount") is { } max && v.GetArrayLength() > max)
            errors.Add(Error(question, path, "At most {0} rows are allowed.", Fmt(max)));
        var i = 0;
        var rows = new List<(string, JsonElement)>();
        foreach (var row in v.EnumerateArray())
        {
            var rowPath = $"{path}[{i}]";
            rows.Add((i.ToString(CultureInfo.InvariantCulture), row));
            i++;
            CheckMatrixRow(q, row, question, rowPath, errors, depth);
        }
        CheckRequiredColumns(q, rows, question, path, errors);
    }

    /// <summary>One row of a matrixdropdown/matrixdynamic: an object of column name → cell value.</summary>
    private static void CheckMatrixRow(JsonElement q, JsonElement row, string question, string path, List<AnswerError> errors, int depth)
    {
        if (row.ValueKind != JsonValueKind.Object) { errors.Add(Error(question, path, "This row must be an object of columns.")); return; }
        var columns = Columns(q);
        foreach (var cell in row.EnumerateObject())
        {
            if (!columns.TryGetValue(cell.Name, out var column))
            {
                errors.Add(Error(question, $"{path}.{cell.Name}", "The table has no column \"{0}\".", cell.Name));
                continue;
            }
            if (cell.Value.ValueKind == JsonValueKind.Null) continue;
            CheckCell(q, column, cell.Value, question, $"{path}.{cell.Name}", errors, depth);
        }
    }

    private static void CheckRequiredColumns(JsonElement q, IEnumerable<(string Name, JsonElement Row)> rows, string question, string path, List<AnswerError> errors)
    {
        var required = Columns(q).Where(c => IsRequired(c.Value)).Select(c => c.Key).ToList();
        if (required.Count == 0) return;
        foreach (var (name, row) in rows)
        {
            if (row.ValueKind != JsonValueKind.Object) continue;
            foreach (var column in required)
                if (!row.TryGetProperty(column, out var cell) || IsEmpty(cell))
                    errors.Add(Error(question, $"{path}.{name}.{column}", "An answer is required."));
        }
    }

    private static Dictionary<string, JsonElement> Columns(JsonElement q)
    {
        var columns = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (q.TryGetProperty("columns", out var cols) && cols.ValueKind == JsonValueKind.Array)
            foreach (var col in cols.EnumerateArray())
                if (col.ValueKind == JsonValueKind.Object && Str(col, "name") is { Length: > 0 } name) columns[name] = col;
        return columns;
    }

    /// <summary>A cell takes its type from the column's <c>cellType</c>, else the matrix's, else dropdown; choices likewise.</summary>
    private static void CheckCell(JsonElement matrix, JsonElement column, JsonElement v, string question, string path, List<AnswerError> errors, int depth)
    {
        var cellType = Str(column, "cellType") is { Length: > 0 } ct && ct != "default" ? ct : Str(matrix, "cellType") ?? "dropdown";
        switch (cellType)
        {
            case "dropdown" or "radiogroup" or "checkbox":
                var choicesOwner = ChoicesFromElsewhere(column)
                    || (column.TryGetProperty("choices", out var cc) && cc.ValueKind == JsonValueKind.Array && cc.GetArrayLength() > 0) ? column : matrix;
                if (cellType == "checkbox")
                {
                    if (v.ValueKind != JsonValueKind.Array) { errors.Add(Error(question, path, "This answer must be a list of choices.")); return; }
                    foreach (var item in v.EnumerateArray()) CheckChoice(choicesOwner, "choices", item, question, path, errors, HasOther(column));
                }
                else CheckChoice(choicesOwner, "choices", v, question, path, errors, HasOther(column), generated: cellType == "dropdown" ? column : null);
                return;
            default:
                // text, comment, rating, boolean, expression: the column carries the question's properties.
                CheckValue(WithType(column, cellType), v, question, path, errors, depth + 1);
                return;
        }
    }

    private static JsonElement WithType(JsonElement column, string type)
    {
        if (Str(column, "type") == type) return column;
        var dict = column.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        using var typeDoc = JsonDocument.Parse(JsonSerializer.Serialize(type));
        dict["type"] = typeDoc.RootElement.Clone();
        return JsonSerializer.SerializeToElement(dict);
    }

    private static void CheckDynamicPanels(JsonElement q, JsonElement v, string question, string path, List<AnswerError> errors, int depth)
    {
        if (v.ValueKind != JsonValueKind.Array) { errors.Add(Error(question, path, "This answer must be a list of entries.")); return; }
        if (Num(q, "maxPanelCount") is { } max && v.GetArrayLength() > max)
            errors.Add(Error(question, path, "At most {0} entries are allowed.", Fmt(max)));
        var template = new Dictionary<string, SchemaQuestion>(StringComparer.Ordinal);
        if (q.TryGetProperty("templateElements", out var els)) CollectElements(els, template, false, depth + 1);
        var i = 0;
        foreach (var panel in v.EnumerateArray())
        {
            var panelPath = $"{path}[{i++}].";
            if (panel.ValueKind != JsonValueKind.Object) { errors.Add(Error(question, panelPath.TrimEnd('.'), "Each entry must be an object.")); continue; }
            CheckScope(template, panel, question, panelPath, errors, depth + 1);
        }
    }

    // ---- JSON helpers ----

    private static string? Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool Bool(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static double? Num(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
        if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        return null;
    }

    private static string Fmt(double? d) => d is { } x ? x.ToString(CultureInfo.InvariantCulture) : "…";

    /// <summary>
    /// A comparable key of a JSON value: numbers by value (5 and 5.0 and "5" match a column valued 5, since
    /// row names of matrices are always strings in SurveyJS data), strings as they are.
    /// </summary>
    private static string Key(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number => "n:" + v.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.String => NumberKey(v.GetString()!) is { } nk && nk.StartsWith("n:", StringComparison.Ordinal) ? nk : "s:" + v.GetString(),
        JsonValueKind.True => "b:true",
        JsonValueKind.False => "b:false",
        _ => "?",
    };

    private static string NumberKey(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? "n:" + d.ToString("R", CultureInfo.InvariantCulture) : "s:" + s;

    private static string Display(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Object or JsonValueKind.Array => v.ValueKind.ToString().ToLowerInvariant(),
        _ => v.GetRawText(),
    };

    /// <summary>Item values of choices/rows/columns/rateValues: either plain values or objects with "value".</summary>
    private static HashSet<string> ItemValues(JsonElement items)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (items.ValueKind != JsonValueKind.Array) return set;
        foreach (var item in items.EnumerateArray())
        {
            var value = item.ValueKind == JsonValueKind.Object ? (item.TryGetProperty("value", out var v) ? v : default) : item;
            if (value.ValueKind is JsonValueKind.Undefined) continue;
            var key = Key(value);
            set.Add(key);
            // Row names arrive as object keys (strings): keep the string form of numeric values too.
            if (value.ValueKind == JsonValueKind.String) set.Add("s:" + value.GetString());
        }
        return set;
    }

    private static string? RawValue(JsonElement item)
    {
        var value = item.ValueKind == JsonValueKind.Object ? (item.TryGetProperty("value", out var v) ? v : default) : item;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }
}
