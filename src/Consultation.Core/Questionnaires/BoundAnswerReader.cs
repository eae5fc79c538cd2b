using System.Globalization;
using System.Text;
using System.Text.Json;
using Consultation.Core.Scales;

namespace Consultation.Core.Questionnaires;

/// <summary>One indicator score: <see cref="Binding"/> indexes <see cref="BoundAnswers.IndicatorBindings"/>.</summary>
public readonly record struct BoundValue(int Binding, double Value, Confidence Confidence);

/// <summary>
/// <see cref="BoundAnswers.Read(string?)"/> over the UTF-8 bytes of the answers, with <see cref="Utf8JsonReader"/>
/// and no allocation per response (except for the text of PESTLE factors): for large rounds, where building a string
/// and a <see cref="JsonDocument"/> per response costs more than the aggregation itself. Same results, same order
/// (tested against the document form): a property that occurs twice counts with its last occurrence, and an answer
/// that is not one well-formed JSON object gives nothing. Reuses its buffers; not thread-safe.
/// </summary>
public sealed class BoundAnswerReader
{
    private readonly BoundAnswers _bindings;
    private readonly Node _root = new();
    private readonly double[] _values;           // per indicator binding; NaN = no value
    private readonly int[] _indicatorArea;       // indicator binding → area slot
    private readonly Confidence?[] _confidences; // per confidence binding
    private readonly int[] _confidenceArea;      // confidence binding → area slot
    private readonly Confidence[] _areaConfidence;
    private readonly List<(int Binding, string Text, double? Impact, double? Likelihood)> _panels = [];
    private readonly List<BoundFactor> _factors = [];
    private BoundValue[] _scores;
    private int _scoreCount;

    internal BoundAnswerReader(BoundAnswers bindings)
    {
        _bindings = bindings;
        var areas = new Dictionary<string, int>(StringComparer.Ordinal);
        int Area(string code) => areas.TryGetValue(code, out var i) ? i : areas[code] = areas.Count;

        var indicators = bindings.IndicatorBindings;
        _values = new double[indicators.Count];
        _indicatorArea = new int[indicators.Count];
        _scores = new BoundValue[indicators.Count];
        for (var i = 0; i < indicators.Count; i++)
        {
            _indicatorArea[i] = Area(indicators[i].CrimeArea!);
            Place(indicators[i]).Leaves.Add(new Leaf(false, i));
        }
        var confidences = bindings.ConfidenceBindings;
        _confidences = new Confidence?[confidences.Count];
        _confidenceArea = new int[confidences.Count];
        for (var i = 0; i < confidences.Count; i++)
        {
            _confidenceArea[i] = Area(confidences[i].CrimeArea!);
            Place(confidences[i]).Leaves.Add(new Leaf(true, i));
        }
        _areaConfidence = new Confidence[areas.Count];
        var factors = bindings.FactorBindings;
        for (var i = 0; i < factors.Count; i++)
            _root.Child(bindings.AnswerName(factors[i])).Factors.Add(i);
        _root.Collect();
    }

    /// <summary>The scores of the last <see cref="Read"/>, in the order of <see cref="BoundAnswers.IndicatorBindings"/>.</summary>
    public ReadOnlySpan<BoundValue> Scores => _scores.AsSpan(0, _scoreCount);

    /// <summary>The PESTLE factors of the last <see cref="Read"/>.</summary>
    public IReadOnlyList<BoundFactor> Factors => _factors;

    /// <summary>Reads one response's answers; false (and nothing read) when they are not a well-formed JSON object.</summary>
    public bool Read(ReadOnlySpan<byte> utf8Json)
    {
        _scoreCount = 0;
        _factors.Clear();
        _panels.Clear();
        if (!_bindings.BindsAnything) return false;
        Array.Fill(_values, double.NaN);
        Array.Clear(_confidences);
        if (!FlatScanner.TryRead(this, utf8Json))
        {
            // Not the simple shape the scanner takes: start again with the general reader.
            Array.Fill(_values, double.NaN);
            Array.Clear(_confidences);
            _panels.Clear();
            if (!ReadGeneral(utf8Json)) return false;
        }

        Array.Fill(_areaConfidence, Confidence.High);
        for (var i = 0; i < _confidences.Length; i++)
            if (_confidences[i] is { } c) _areaConfidence[_confidenceArea[i]] = c;
        for (var i = 0; i < _values.Length; i++)
            if (!double.IsNaN(_values[i])) _scores[_scoreCount++] = new BoundValue(i, _values[i], _areaConfidence[_indicatorArea[i]]);

        // Binding order first, then panel order, as the document form reports them.
        var factorBindings = _bindings.FactorBindings;
        for (var b = 0; b < factorBindings.Count; b++)
            foreach (var (binding, text, impact, likelihood) in _panels)
            {
                if (binding != b || text.Length == 0 || impact is not { } im || likelihood is not { } li || !Indicators.InScale(im) || !Indicators.InScale(li)) continue;
                var dimension = factorBindings[b].Dimension!;
                _factors.Add(new BoundFactor(BoundAnswers.FactorKey(dimension, text), dimension, text, im, li));
            }
        return true;
    }

    /// <summary>The general path: <see cref="Utf8JsonReader"/> over any JSON; false when not one well-formed object.</summary>
    private bool ReadGeneral(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            ReadObject(ref reader, _root);
            return !reader.Read(); // a second root value is a JsonException, so this is always true
        }
        catch (JsonException)
        {
            _panels.Clear();
            return false;
        }
    }

    /// <summary>
    /// The fast path for the shape questionnaires produce: objects of plain names, whole numbers and plain strings
    /// (<c>{"DRUGS_indicators":{"SCOPE":4,…},"DRUGS_confidence":"LOW",…}</c>). It scans the bytes by hand, which is
    /// several times faster than <see cref="Utf8JsonReader"/> with the tree look-ups. It takes only a strict subset of
    /// JSON — no escapes, no bytes outside printable ASCII in strings, no fractions, exponents or minus signs, no
    /// PESTLE panels, a depth of at most 32 — and gives up (false) on anything else, so that what it does take is
    /// well-formed and means the same as in <see cref="ReadGeneral"/>; the caller then starts again with that.
    /// </summary>
    private static class FlatScanner
    {
        private const int MaxDepth = 32;

        // Bytes that end the fast scan of a string: its closing quote, or anything the subset leaves to the general reader.
        private static readonly System.Buffers.SearchValues<byte> StringStops = System.Buffers.SearchValues.Create(
            [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\', .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

        public static bool TryRead(BoundAnswerReader target, ReadOnlySpan<byte> json)
        {
            var pos = SkipSpace(json, 0);
            if (pos >= json.Length || json[pos] != (byte)'{') return false;
            if (!Object(target, json, ref pos, target._root, 1)) return false;
            return SkipSpace(json, pos) == json.Length;
        }

        /// <summary>On '{': reads to after its '}'; <paramref name="node"/> null skips the object.</summary>
        private static bool Object(BoundAnswerReader target, ReadOnlySpan<byte> json, ref int pos, Node? node, int depth)
        {
            if (depth > MaxDepth) return false;
            pos = SkipSpace(json, pos + 1);
            if (pos < json.Length && json[pos] == (byte)'}') { pos++; return true; }
            while (true)
            {
                if (!String(json, ref pos, out var name)) return false;
                pos = SkipSpace(json, pos);
                if (pos >= json.Length || json[pos] != (byte)':') return false;
                pos = SkipSpace(json, pos + 1);
                if (!Value(target, json, ref pos, node?.Find(name), depth)) return false;
                pos = SkipSpace(json, pos);
                if (pos >= json.Length) return false;
                if (json[pos] == (byte)'}') { pos++; return true; }
                if (json[pos] != (byte)',') return false;
                pos = SkipSpace(json, pos + 1);
            }
        }

        /// <summary>On '[': reads to after its ']', skipping every element.</summary>
        private static bool Array(BoundAnswerReader target, ReadOnlySpan<byte> json, ref int pos, int depth)
        {
            if (depth > MaxDepth) return false;
            pos = SkipSpace(json, pos + 1);
            if (pos < json.Length && json[pos] == (byte)']') { pos++; return true; }
            while (true)
            {
                if (!Value(target, json, ref pos, null, depth)) return false;
                pos = SkipSpace(json, pos);
                if (pos >= json.Length) return false;
                if (json[pos] == (byte)']') { pos++; return true; }
                if (json[pos] != (byte)',') return false;
                pos = SkipSpace(json, pos + 1);
            }
        }

        /// <summary>One value at <paramref name="pos"/>; what <see cref="ReadValue"/> does with it when <paramref name="node"/> is bound.</summary>
        private static bool Value(BoundAnswerReader target, ReadOnlySpan<byte> json, ref int pos, Node? node, int depth)
        {
            if (pos >= json.Length) return false;
            if (node is not null)
            {
                if (node.Factors.Count > 0) return false; // PESTLE panels: the general reader's job
                foreach (var leaf in node.AllLeaves)
                    if (leaf.Confidence) target._confidences[leaf.Index] = null;
                    else target._values[leaf.Index] = double.NaN;
            }
            switch (json[pos])
            {
                case (byte)'{':
                    return Object(target, json, ref pos, node is { ChildCount: > 0 } ? node : null, depth + 1);
                case (byte)'[':
                    return Array(target, json, ref pos, depth + 1);
                case (byte)'"':
                    if (!String(json, ref pos, out var text)) return false;
                    if (node is null) return true;
                    foreach (var leaf in node.Leaves)
                    {
                        if (!leaf.Confidence) return false; // a number written as a string: the general reader's job
                        if (ConfidenceOf(text) is { } c) target._confidences[leaf.Index] = c;
                    }
                    return true;
                case >= (byte)'0' and <= (byte)'9':
                    if (!WholeNumber(json, ref pos, out var x)) return false;
                    if (node is null) return true;
                    foreach (var leaf in node.Leaves)
                        if (!leaf.Confidence && Indicators.InScale(x)) target._values[leaf.Index] = x;
                    return true;
                default:
                    return Literal(json, ref pos, "true"u8) || Literal(json, ref pos, "false"u8) || Literal(json, ref pos, "null"u8);
            }
        }

        /// <summary>On '"': the bytes up to the closing quote, when they are printable ASCII without escapes.</summary>
        private static bool String(ReadOnlySpan<byte> json, ref int pos, out ReadOnlySpan<byte> text)
        {
            text = default;
            if (pos >= json.Length || json[pos] != (byte)'"') return false;
            var length = json[(pos + 1)..].IndexOfAny(StringStops);
            if (length < 0 || json[pos + 1 + length] != (byte)'"') return false;
            text = json.Slice(pos + 1, length);
            pos += length + 2;
            return true;
        }

        /// <summary>0 or a whole number of at most 15 digits without a leading zero (exact as a double); no fraction or exponent.</summary>
        private static bool WholeNumber(ReadOnlySpan<byte> json, ref int pos, out double value)
        {
            value = 0;
            long n = 0;
            var start = pos;
            while (pos < json.Length && json[pos] is >= (byte)'0' and <= (byte)'9' && pos - start < 16)
                n = n * 10 + (json[pos++] - '0');
            var digits = pos - start;
            if (digits > 15 || (digits > 1 && json[start] == (byte)'0')) return false;
            if (pos < json.Length && json[pos] is (byte)'.' or (byte)'e' or (byte)'E') return false;
            value = n;
            return true;
        }

        private static bool Literal(ReadOnlySpan<byte> json, ref int pos, ReadOnlySpan<byte> literal)
        {
            if (!json[pos..].StartsWith(literal)) return false;
            pos += literal.Length;
            return true;
        }

        private static Confidence? ConfidenceOf(ReadOnlySpan<byte> text) =>
            text.SequenceEqual("HIGH"u8) ? Confidence.High
            : text.SequenceEqual("MEDIUM"u8) ? Confidence.Medium
            : text.SequenceEqual("LOW"u8) ? Confidence.Low
            : null;

        private static int SkipSpace(ReadOnlySpan<byte> json, int pos)
        {
            while (pos < json.Length && json[pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') pos++;
            return pos;
        }
    }

    /// <summary>The reader is on StartObject; reads to its EndObject.</summary>
    private void ReadObject(ref Utf8JsonReader reader, Node node)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var child = node.Find(ref reader);
            reader.Read();
            if (child is null) reader.Skip();
            else ReadValue(ref reader, child);
        }
    }

    private void ReadValue(ref Utf8JsonReader reader, Node node)
    {
        // The last occurrence of a property wins: forget what an earlier one under this node gave.
        foreach (var leaf in node.AllLeaves)
            if (leaf.Confidence) _confidences[leaf.Index] = null;
            else _values[leaf.Index] = double.NaN;
        if (node.Factors.Count > 0) ForgetPanels(node.Factors);

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject when node.ChildCount > 0:
                ReadObject(ref reader, node);
                return;
            case JsonTokenType.StartArray when node.Factors.Count > 0:
                ReadPanels(ref reader, node);
                return;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                return;
        }
        foreach (var leaf in node.Leaves)
        {
            if (leaf.Confidence)
            {
                if (reader.TokenType == JsonTokenType.String && ConfidenceOf(ref reader) is { } c) _confidences[leaf.Index] = c;
            }
            else if (Number(ref reader) is { } x && Indicators.InScale(x))
            {
                _values[leaf.Index] = x;
            }
        }
    }

    // Its own method: a lambda capturing a parameter of ReadValue would allocate a closure on every call.
    private void ForgetPanels(List<int> factors) => _panels.RemoveAll(p => factors.Contains(p.Binding));

    private void ReadPanels(ref Utf8JsonReader reader, Node node)
    {
        var factors = _bindings.FactorBindings;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) { reader.Skip(); continue; }
            var start = _panels.Count;
            foreach (var b in node.Factors) _panels.Add((b, "", null, null));
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan.ToArray();
                reader.Read();
                for (var j = 0; j < node.Factors.Count; j++)
                {
                    var binding = factors[node.Factors[j]];
                    var panel = _panels[start + j];
                    if (Is(name, binding.Factor ?? "factor"))
                        panel.Text = reader.TokenType == JsonTokenType.String ? reader.GetString()!.Trim() : "";
                    else if (Is(name, binding.Impact ?? "impact"))
                        panel.Impact = Number(ref reader);
                    else if (Is(name, binding.Likelihood ?? "likelihood"))
                        panel.Likelihood = Number(ref reader);
                    _panels[start + j] = panel;
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
            }
        }
    }

    private static bool Is(byte[] utf8, string name) => Encoding.UTF8.GetString(utf8) == name;

    private static double? Number(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;
            case JsonTokenType.String:
                if (!reader.ValueIsEscaped && !reader.HasValueSequence)
                    return double.TryParse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var u) && double.IsFinite(u) ? u : null;
                return double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) ? s : null;
            default:
                return null;
        }
    }

    private static Confidence? ConfidenceOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            var v = reader.ValueSpan;
            if (v.SequenceEqual("HIGH"u8)) return Confidence.High;
            if (v.SequenceEqual("MEDIUM"u8)) return Confidence.Medium;
            if (v.SequenceEqual("LOW"u8)) return Confidence.Low;
            return null;
        }
        return ConfidenceCodes.TryParse(reader.GetString(), out var c) ? c : null;
    }

    private Node Place(Binding b)
    {
        var node = _root.Child(_bindings.AnswerName(b));
        if (b.Row is { Length: > 0 } row) node = node.Child(row);
        if (b.Column is { Length: > 0 } column) node = node.Child(column);
        return node;
    }

    private readonly record struct Leaf(bool Confidence, int Index);

    /// <summary>One step of a binding's path (question → row → column), matched on the raw UTF-8 property name.</summary>
    private sealed class Node
    {
        private readonly List<(byte[] Name, Node Node)> _children = [];
        private int _cursor;

        public int ChildCount => _children.Count;
        public List<Leaf> Leaves { get; } = [];
        public List<Leaf> AllLeaves { get; } = [];
        public List<int> Factors { get; } = [];

        public Node Child(string name)
        {
            var utf8 = Encoding.UTF8.GetBytes(name);
            foreach (var (n, node) in _children)
                if (n.AsSpan().SequenceEqual(utf8)) return node;
            var child = new Node();
            _children.Add((utf8, child));
            return child;
        }

        /// <summary>Fills <see cref="AllLeaves"/>: every leaf at or below this node.</summary>
        public List<Leaf> Collect()
        {
            AllLeaves.Clear();
            AllLeaves.AddRange(Leaves);
            foreach (var (_, child) in _children) AllLeaves.AddRange(child.Collect());
            return AllLeaves;
        }

        /// <summary>The child named by the property the reader is on, or null.</summary>
        public Node? Find(ref Utf8JsonReader reader)
        {
            if (reader.ValueIsEscaped || reader.HasValueSequence)
            {
                var name = Encoding.UTF8.GetBytes(reader.GetString()!);
                foreach (var (n, node) in _children)
                    if (n.AsSpan().SequenceEqual(name)) return node;
                return null;
            }
            return Find(reader.ValueSpan);
        }

        /// <summary>The child with this unescaped UTF-8 name, or null.</summary>
        public Node? Find(ReadOnlySpan<byte> span)
        {
            // Answers usually list questions in the order the bindings do: try the one after the last match first.
            var count = _children.Count;
            for (var k = 0; k < count; k++)
            {
                var i = _cursor + k;
                if (i >= count) i -= count;
                if (span.SequenceEqual(_children[i].Name))
                {
                    _cursor = i + 1 == count ? 0 : i + 1;
                    return _children[i].Node;
                }
            }
            return null;
        }
    }
}
