using System.Globalization;

namespace Consultation.Core.Aggregation;

/// <summary>
/// Where one value came from, so every figure stays traceable to the responses behind it (DOMAIN.md,
/// "Evidence"): <c>response:12/rev:3</c> or <c>workshop:4/participant:9</c>.
/// </summary>
public sealed record SourceRef(string Value)
{
    public static SourceRef Response(long responseId, int revision) =>
        new(string.Create(CultureInfo.InvariantCulture, $"response:{responseId}/rev:{revision}"));

    public static SourceRef Workshop(long workshopId, long participantId) =>
        new(string.Create(CultureInfo.InvariantCulture, $"workshop:{workshopId}/participant:{participantId}"));

    public override string ToString() => Value;
}

/// <summary>
/// Keys that decide "one voice per organisation" (rule 2). Workshop participants without an organisation
/// count as one organisation each, so they get a key of their own that cannot collide with an organisation's.
/// </summary>
public static class OrganisationKeys
{
    public static string Organisation(long organisationId) =>
        string.Create(CultureInfo.InvariantCulture, $"organisation:{organisationId}");

    public static string Participant(long participantId) =>
        string.Create(CultureInfo.InvariantCulture, $"participant:{participantId}");
}
