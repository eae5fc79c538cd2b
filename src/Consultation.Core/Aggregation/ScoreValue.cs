using Consultation.Core.Scales;

namespace Consultation.Core.Aggregation;

/// <summary>
/// One value for one cell (crime area × indicator) from a submitted response (latest revision) or a workshop
/// score (DOMAIN.md, "Aggregation rules").
/// </summary>
/// <param name="OrganisationKey">Who speaks: see <see cref="OrganisationKeys"/>; values sharing a key share one voice.</param>
/// <param name="Category">The organisation's (or participant's) category code, e.g. <c>NGO</c>.</param>
/// <param name="Grading">The coordinator's grading of the response; null when ungraded (the round's default applies).</param>
/// <param name="Value">The score, 1–5, higher = more threatening.</param>
public sealed record ScoreValue(
    string CrimeArea,
    string Indicator,
    string OrganisationKey,
    string Category,
    Grading? Grading,
    Confidence Confidence,
    double Value,
    SourceRef Source);

/// <summary>
/// One respondent's score of one PESTLE factor (DOMAIN.md, "PESTLE dimensions" and rule 6): impact and
/// likelihood, each 1–5. Workshop scores usually carry no confidence, which means HIGH.
/// </summary>
public sealed record PestleValue(
    string FactorKey,
    string Dimension,
    string OrganisationKey,
    string Category,
    Grading? Grading,
    Confidence Confidence,
    double Impact,
    double Likelihood,
    SourceRef Source);
