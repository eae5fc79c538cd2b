using Consultation.Core.Aggregation;
using Consultation.Core.Organisations;
using Consultation.Core.Scales;

namespace Consultation.Core.Tests.Aggregation;

/// <summary>Small builders so each test states only what it is about.</summary>
internal static class Build
{
    private static long _next;

    /// <summary>Just enough organisations for the default minimum group size of 3.</summary>
    public static IReadOnlyList<string> ThreeOrganisationKeys { get; } = ["a", "b", "c"];

    public static ScoreValue Score(
        double value,
        string organisation,
        string crimeArea = CrimeAreas.Drugs,
        string indicator = Indicators.Scope,
        string category = OrganisationCategory.Ngo,
        string? grading = "B2",
        Confidence confidence = Confidence.High) =>
        new(crimeArea, indicator, organisation, category, grading is null ? null : Grading.Parse(grading), confidence, value,
            SourceRef.Response(Interlocked.Increment(ref _next), 1));

    /// <summary>The same value for all five indicators of a crime area.</summary>
    public static IEnumerable<ScoreValue> Area(string crimeArea, double value, string organisation) =>
        Indicators.All.Select(i => Score(value, organisation, crimeArea, i));

    public static PestleValue Pestle(
        string factor, double impact, double likelihood, string organisation,
        string dimension = PestleDimensions.Political, string category = OrganisationCategory.Ngo) =>
        new(factor, dimension, organisation, category, null, Confidence.High, impact, likelihood,
            SourceRef.Workshop(1, Interlocked.Increment(ref _next)));

    public static AggregationSettings AnyGroupSize { get; } = new() { MinOrganisations = 1 };

    public static CellStatistics OnlyCell(IEnumerable<ScoreValue> values, AggregationSettings? settings = null) =>
        Assert.Single(Aggregator.Aggregate(values, settings ?? AnyGroupSize).Cells).Value;
}
