using Consultation.Core.Scales;

namespace Consultation.Core.Aggregation;

/// <summary>
/// One value as it entered a figure, with how its weight came about, for drill-down (DOMAIN.md, "Evidence":
/// each figure traceable to the responses behind it). It names organisations and sources, so it is for
/// coordinators only (DOMAIN.md, "Confidentiality rules"), whether or not the cell is suppressed.
/// Weights are not rounded: they are the exact inputs of the figures.
/// </summary>
/// <param name="Grading">The grading the value was weighed with (the round's default when <paramref name="Graded"/> is false).</param>
/// <param name="Value">The score; for a PESTLE factor, the respondent's impact × likelihood.</param>
/// <param name="BaseWeight">Rule 1: category × source × information × confidence weight.</param>
/// <param name="OrganisationValues">m, the organisation's number of values in this cell (rule 2).</param>
/// <param name="Weight">BaseWeight / m, the weight used in the statistics.</param>
public sealed record Contribution(
    SourceRef Source,
    string OrganisationKey,
    string Category,
    Grading Grading,
    bool Graded,
    Confidence Confidence,
    double Value,
    double BaseWeight,
    int OrganisationValues,
    double Weight);
