using System.Globalization;
using System.Text;
using System.Text.Json;
using Consultation.Core.Scales;

namespace Consultation.Core.Questionnaires;

/// <summary>One 1–5 indicator score read from a response through an <see cref="BindingKinds.Indicator"/> binding.</summary>
public readonly record struct BoundScore(string CrimeArea, string Indicator, double Value, Confidence Confidence);

/// <summary>One PESTLE factor a respondent wrote and scored (an entry of a dynamic panel bound by <see cref="BindingKinds.PestleFactor"/>).</summary>
public readonly record struct BoundFactor(string FactorKey, string Dimension, string Text, double Impact, double Likelihood);

/// <summary>
/// Reads what the aggregation needs out of a response's SurveyJS answers, following the questionnaire version's
/// bindings (DOMAIN.md, "Binding"). Answer shapes are SurveyJS's: a <c>matrix</c> is an object row → value, a
/// <c>matrixdropdown</c> an object row → (column → value), a <c>rating</c> a number, a <c>radiogroup</c> a string,
/// a <c>paneldynamic</c> an array of objects. Numbers may arrive as numeric strings. Anything missing, not a number
/// or outside 1–5 is skipped: an unanswered cell is no value, not a zero. Confidence comes from the crime area's
/// <see cref="BindingKinds.Confidence"/> answer and is HIGH when not asked or not answered (DOMAIN.md, "Indicators").
/// Pure: System.Text.Json only.
/// </summary>
public sealed class BoundAnswers
{
    private readonly List<Binding> _indicators;
    private readonly List<Binding> _confidences;
    private readonly List<Binding> _factors;
    private readonly IReadOnlyDictionary<string, string> _answerNames;

    /// <param name="answerNames">
    /// Question name → the name its answer is stored under, for questions with a <c>valueName</c>
    /// (<see cref="AnswerNames"/>); a binding names the question, SurveyJS stores the answer under its valueName.
    /// </param>
    public BoundAnswers(IEnumerable<Binding> bindings, IReadOnlyDictionary<string, string>? answerNames = null)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        _answerNames = answerNames ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var list = bindings.Where(b => b is not null && b.Question.Length > 0).ToList();
        _indicators = [.. list.Where(b => b.Kind == BindingKinds.Indicator && b.CrimeArea is { Length: > 0 } && Indicators.IsKnown(b.Indicator))];
        _confidences = [.. list.Where(b => b.Kind == BindingKinds.Confidence && b.CrimeArea is { Length: > 0 })];
        _factors = [.. list.Where(b => b.Kind == BindingKinds.PestleFactor && PestleDimensions.IsKnown(b.Dimension))];
    }

    /// <summary>
    /// Parses a version's <c>bindings_json</c>; an empty or broken document binds nothing. With the version's
    /// <paramref name="schemaJson"/>, answers of questions with a <c>valueName</c> are read under that name.
    /// </summary>
    public static BoundAnswers FromJson(string? bindingsJson, string? schemaJson = null)
    {
        if (string.IsNullOrWhiteSpace(bindingsJson)) return new BoundAnswers([]);
        List<Binding> bindings;
        try { bindings = JsonSerializer.Deserialize<List<Binding>>(bindingsJson, Binding.JsonOptions) ?? []; }
        catch (JsonException) { return new BoundAnswers([]); }
        return new BoundAnswers(bindings, AnswerNames(schemaJson));
    }

    /// <summary>
    /// Question name → <c>valueName</c> for the top-level questions of a definition that store their answer under
    /// another name (SurveyJS's <c>valueName</c>; panels do not open a scope of their own, dynamic panels do and are
    /// not entered). Empty when the definition is missing or unreadable.
    /// </summary>
    public static IReadOnlyDictionary<string, string> AnswerNames(string? schemaJson)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(schemaJson)) return names;
        try
        {
            using var doc = JsonDocument.Parse(schemaJson, new JsonDocumentOptions { MaxDepth = 64 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return names;
            if (root.TryGetProperty("pages", out var pages) && pages.ValueKind == JsonValueKind.Array)
                foreach (var page in pages.EnumerateArray())
                    if (page.ValueKind == JsonValueKind.Object && page.TryGetProperty("elements", out var els)) Collect(els, 0);
            if (root.TryGetProperty("elements", out var rootElements)) Collect(rootElements, 0);
        }
        catch (JsonException) { names.Clear(); }
        return names;

        void Collect(JsonElement elements, int depth)
        {
            if (elements.ValueKind != JsonValueKind.Array || depth > 16) return;
            foreach (var el in elements.EnumerateArray())
            {
                if (el.ValueKind != JsonValueKind.Object) continue;
                if (Text(el, "type") == "panel")
                {
                    if (el.TryGetProperty("elements", out var inner)) Collect(inner, depth + 1);
                    continue;
                }
                if (Text(el, "name") is { Length: > 0 } name && Text(el, "valueName") is { Length: > 0 } valueName) names[name] = valueName;
            }
        }

        static string? Text(JsonElement el, string property) =>
            el.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    /// <summary>The name the answer that <paramref name="b"/> reads is stored under: the question's valueName, else its name.</summary>
    internal string AnswerName(Binding b) => _answerNames.TryGetValue(b.Question, out var valueName) ? valueName : b.Question;

    public bool BindsAnything => _indicators.Count > 0 || _factors.Count > 0;

    /// <summary>The indicator bindings in the order <see cref="Read(string?)"/> reports their scores.</summary>
    public IReadOnlyList<Binding> IndicatorBindings => _indicators;

    internal IReadOnlyList<Binding> ConfidenceBindings => _confidences;

    internal IReadOnlyList<Binding> FactorBindings => _factors;

    /// <summary>A reader over UTF-8 answers that reuses its buffers; one per thread.</summary>
    public BoundAnswerReader CreateReader() => new(this);

    /// <summary>The indicator scores and PESTLE factors in <paramref name="dataJson"/>; nothing when it is not a JSON object.</summary>
    public (IReadOnlyList<BoundScore> Scores, IReadOnlyList<BoundFactor> Factors) Read(string? dataJson)
    {
        if (!BindsAnything || string.IsNullOrWhiteSpace(dataJson)) return ([], []);
        try
        {
            using var doc = JsonDocument.Parse(dataJson);
            return Read(doc.RootElement);
        }
        catch (JsonException) { return ([], []); }
    }

    public (IReadOnlyList<BoundScore> Scores, IReadOnlyList<BoundFactor> Factors) Read(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object) return ([], []);
        var confidence = new Dictionary<string, Confidence>(StringComparer.Ordinal);
        foreach (var b in _confidences)
            if (Locate(data, AnswerName(b), b) is { ValueKind: JsonValueKind.String } c && ConfidenceCodes.TryParse(c.GetString(), out var parsed))
                confidence[b.CrimeArea!] = parsed;

        var scores = new List<BoundScore>(_indicators.Count);
        foreach (var b in _indicators)
            if (Locate(data, AnswerName(b), b) is { } v && Number(v) is { } x && Indicators.InScale(x))
                scores.Add(new BoundScore(b.CrimeArea!, b.Indicator!, x, confidence.GetValueOrDefault(b.CrimeArea!, Confidence.High)));

        var factors = new List<BoundFactor>();
        foreach (var b in _factors)
        {
            if (!data.TryGetProperty(AnswerName(b), out var panels) || panels.ValueKind != JsonValueKind.Array) continue;
            foreach (var panel in panels.EnumerateArray())
            {
                if (panel.ValueKind != JsonValueKind.Object) continue;
                var text = panel.TryGetProperty(b.Factor ?? "factor", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : "";
                var impact = panel.TryGetProperty(b.Impact ?? "impact", out var i) ? Number(i) : null;
                var likelihood = panel.TryGetProperty(b.Likelihood ?? "likelihood", out var l) ? Number(l) : null;
                if (text.Length == 0 || impact is not { } im || likelihood is not { } li || !Indicators.InScale(im) || !Indicators.InScale(li)) continue;
                factors.Add(new BoundFactor(FactorKey(b.Dimension!, text), b.Dimension!, text, im, li));
            }
        }
        return (scores, factors);
    }

    /// <summary>
    /// Factors written in questionnaires have no id, so the same statement from different respondents is one factor
    /// when it reads the same after trimming, collapsing spaces, ignoring case and a final full stop.
    /// </summary>
    public static string FactorKey(string dimension, string text)
    {
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var ch in text.Trim().TrimEnd('.').Trim())
        {
            if (char.IsWhiteSpace(ch)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(char.ToLowerInvariant(ch));
        }
        return $"text:{dimension}:{sb}";
    }

    private static JsonElement? Locate(JsonElement data, string answerName, Binding b)
    {
        if (!data.TryGetProperty(answerName, out var v)) return null;
        if (b.Row is { Length: > 0 } row)
        {
            if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty(row, out v)) return null;
        }
        if (b.Column is { Length: > 0 } column)
        {
            if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty(column, out v)) return null;
        }
        return v;
    }

    private static double? Number(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Number when v.TryGetDouble(out var d) && double.IsFinite(d) => d,
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };
}
