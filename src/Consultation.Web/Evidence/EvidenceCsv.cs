using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Consultation.Web.Evidence;

/// <summary>
/// CSV for spreadsheets: UTF-8 with a byte-order mark (so Excel reads Serbian letters right), RFC 4180 quoting,
/// CRLF rows, and every text field protected against formula injection — a text starting with <c>= + - @</c>,
/// tab or carriage return is prefixed with <c>'</c> so a spreadsheet shows it as text instead of running it.
/// Numbers are written invariant and never prefixed. Reusable by any export (pages and API).
/// </summary>
public static class EvidenceCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly UTF8Encoding Utf8Bom = new(encoderShouldEmitUTF8Identifier: true);

    /// <summary>Prefixes text a spreadsheet would read as a formula.</summary>
    public static string Protect(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        return text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;
    }

    /// <summary>One field: text is protected then quoted when needed; numbers and booleans are written invariant.</summary>
    public static string Field(object? value) => value switch
    {
        null => "",
        string s => Quote(Protect(s)),
        double d => d.ToString("0.####", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("0.####", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(Protect(value.ToString())),
    };

    private static string Quote(string s) =>
        s.IndexOfAny(['"', ',', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    public static void WriteRow(StringBuilder sb, params object?[] fields)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(fields);
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(Field(fields[i]));
        }
        sb.Append("\r\n");
    }

    /// <summary>The bytes of a CSV document: UTF-8 with BOM.</summary>
    public static byte[] ToBytes(StringBuilder sb)
    {
        ArgumentNullException.ThrowIfNull(sb);
        return [.. Utf8Bom.GetPreamble(), .. Encoding.UTF8.GetBytes(sb.ToString())];
    }

    public static readonly string[] CellHeader =
    [
        "round_id", "round_title", "formula_version", "category_filter", "source", "crime_area", "crime_area_name", "indicator",
        "responses", "organisations", "suppressed", "weighted_mean", "weighted_median", "iqr", "sd", "consensus", "agreement",
        "indicator_weight", "crime_area_score", "crime_area_rank", "note",
    ];

    /// <summary>One row per crime area × indicator cell; suppressed cells carry counts and "fewer than k", no statistics.</summary>
    public static byte[] Cells(EvidenceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        WriteRow(sb, CellHeader);
        foreach (var c in report.Cells)
        {
            var area = report.CrimeArea(c.CrimeArea);
            WriteRow(sb, report.Round.Id, report.Round.Title, report.FormulaVersion, report.Filter.Category ?? "", report.Filter.Source.ToString(),
                c.CrimeArea, area?.NameEn ?? c.CrimeArea, c.Indicator, c.Responses, c.Organisations, c.Suppressed,
                c.WeightedMean, c.WeightedMedian, c.Iqr, c.Sd, c.Consensus, c.Agreement,
                report.Settings.IndicatorWeights.GetValueOrDefault(c.Indicator, 1.0), area?.Score, area?.Rank,
                SuppressedNote(c, report.Settings.MinOrganisations));
        }
        return ToBytes(sb);
    }

    /// <summary>Why a cell shows no figures: nobody answered, or fewer than k organisations did; empty when it shows them.</summary>
    public static string SuppressedNote(ReportCell c, int minOrganisations) =>
        !c.Suppressed ? "" : c.Organisations == 0 ? "no answers" : string.Create(CultureInfo.InvariantCulture, $"fewer than {minOrganisations} organisations");

    /// <summary>A submitted response at its latest revision, as the raw export lists it.</summary>
    public sealed record RawResponse
    {
        public long Id { get; init; }
        public long RevisionNo { get; init; }
        public string Questionnaire { get; init; } = "";
        public long Version { get; init; }
        public string Organisation { get; init; } = "";
        public string Category { get; init; } = "";
        public string? Grading { get; init; }
        public string Status { get; init; } = "";
        public DateTimeOffset? SubmittedAt { get; init; }
        public string DataJson { get; init; } = "{}";
    }

    /// <summary>
    /// Raw answers, one row per response × answer (long format, so matrices and dynamic panels flatten without a
    /// column per possible question): paths like <c>DRUGS_indicators.SCOPE</c> or <c>pestle_LEGAL[0].impact</c>.
    /// Names organisations: coordinators only.
    /// </summary>
    public static byte[] RawResponses(IEnumerable<RawResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var sb = new StringBuilder();
        WriteRow(sb, "response_id", "revision", "questionnaire", "version", "organisation", "category", "grading", "status", "submitted_at", "question", "value");
        foreach (var r in responses)
        {
            foreach (var (path, value) in Flatten(r.DataJson))
                WriteRow(sb, r.Id, r.RevisionNo, r.Questionnaire, r.Version, r.Organisation, r.Category, r.Grading ?? "", r.Status, r.SubmittedAt, path, value);
        }
        return ToBytes(sb);
    }

    /// <summary>Leaves of a JSON document with their paths; unreadable JSON gives one row with the raw text.</summary>
    public static IEnumerable<(string Path, string Value)> Flatten(string? json)
    {
        var list = new List<(string, string)>();
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            Walk(doc.RootElement, "", list);
        }
        catch (JsonException) { list.Add(("", json ?? "")); }
        return list;
    }

    private static void Walk(JsonElement e, string path, List<(string, string)> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Walk(p.Value, path.Length == 0 ? p.Name : path + "." + p.Name, into);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) Walk(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i++}]"), into);
                break;
            case JsonValueKind.String:
                into.Add((path, e.GetString() ?? ""));
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            default:
                into.Add((path, e.GetRawText()));
                break;
        }
    }
}
