using ClosedXML.Excel;
using Consultation.Core.Scales;

namespace Consultation.Web.Evidence;

/// <summary>
/// The evidence as an Excel workbook (ClosedXML): the cells, the crime area ranking (configured and equal weights),
/// social tolerance, PESTLE and the settings. Text is protected like the CSV (<see cref="EvidenceCsv.Protect"/>),
/// so nothing a respondent or coordinator typed can become a formula.
/// </summary>
public static class EvidenceXlsx
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static byte[] Build(EvidenceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var book = new XLWorkbook();

        var cells = book.Worksheets.Add("Cells");
        Row(cells, 1, [.. EvidenceCsv.CellHeader]);
        var r = 2;
        foreach (var c in report.Cells)
        {
            var area = report.CrimeArea(c.CrimeArea);
            Row(cells, r++, report.Round.Id, report.Round.Title, report.FormulaVersion, report.Filter.Category ?? "", report.Filter.Source.ToString(),
                c.CrimeArea, area?.NameEn ?? c.CrimeArea, c.Indicator, c.Responses, c.Organisations, c.Suppressed,
                c.WeightedMean, c.WeightedMedian, c.Iqr, c.Sd, c.Consensus, c.Agreement,
                report.Settings.IndicatorWeights.GetValueOrDefault(c.Indicator, 1.0), area?.Score, area?.Rank,
                EvidenceCsv.SuppressedNote(c, report.Settings.MinOrganisations));
        }

        var areas = book.Worksheets.Add("Crime areas");
        Row(areas, 1, "crime_area", "name", "score", "rank", "score_equal_weights", "rank_equal_weights");
        r = 2;
        foreach (var a in report.CrimeAreas)
            Row(areas, r++, a.CrimeArea, a.NameEn, a.Score, a.Rank, a.EqualWeightsScore, a.EqualWeightsRank);

        var tolerance = book.Worksheets.Add("Social tolerance");
        Row(tolerance, 1, "crime_area", "weighted_mean", "rank", "suppressed", "organisations");
        r = 2;
        foreach (var t in report.SocialTolerance)
            Row(tolerance, r++, t.CrimeArea, t.WeightedMean, t.Rank, t.Suppressed, t.Organisations);

        var pestle = book.Worksheets.Add("PESTLE");
        Row(pestle, 1, "dimension", "factor", "responses", "organisations", "suppressed", "score", "rank", "dimension_rank");
        r = 2;
        foreach (var f in report.Pestle)
            Row(pestle, r++, f.Dimension, f.Text, f.Responses, f.Organisations, f.Suppressed, f.Score, f.Rank, f.DimensionRank);

        var settings = book.Worksheets.Add("Settings");
        Row(settings, 1, "setting", "value");
        r = 2;
        Row(settings, r++, "formula_version", report.FormulaVersion);
        Row(settings, r++, "computed_at", report.ComputedAt.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
        Row(settings, r++, "min_organisations", report.Settings.MinOrganisations);
        Row(settings, r++, "default_grading", report.Settings.DefaultGrading);
        foreach (var (k, v) in report.Settings.CategoryWeights) Row(settings, r++, "category_weight." + k, v);
        foreach (var i in Indicators.All) Row(settings, r++, "indicator_weight." + i, report.Settings.IndicatorWeights.GetValueOrDefault(i, 1.0));

        foreach (var sheet in book.Worksheets) sheet.Row(1).Style.Font.Bold = true;
        using var stream = new MemoryStream();
        book.SaveAs(stream);
        return stream.ToArray();
    }

    private static void Row(IXLWorksheet sheet, int row, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var cell = sheet.Cell(row, i + 1);
            switch (values[i])
            {
                case null: break;
                case string s: Text(cell, s); break;
                case bool b: cell.SetValue(b); break;
                case double d: cell.SetValue(d); break;
                case int n: cell.SetValue(n); break;
                case long n: cell.SetValue(n); break;
                default: Text(cell, values[i]!.ToString() ?? ""); break;
            }
        }
    }

    /// <summary>
    /// Text as it was typed, in a text cell (never read as a formula); one that starts like a formula also gets
    /// Excel's quote prefix, so editing the cell keeps it text — instead of a visible apostrophe in the value
    /// (which CSV needs, EvidenceCsv.Protect).
    /// </summary>
    private static void Text(IXLCell cell, string text)
    {
        cell.SetValue(text);
        cell.DataType = XLDataType.Text;
        if (EvidenceCsv.Protect(text) != text) cell.Style.IncludeQuotePrefix = true;
    }
}
