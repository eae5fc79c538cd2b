namespace Consultation.Web.Api;

/// <summary>What an API token may do. <see cref="Admin"/> implies every other scope.</summary>
public static class ApiScopes
{
    public const string EvidenceRead = "evidence:read";
    public const string ResponsesImport = "responses:import";
    public const string RoundsWrite = "rounds:write";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [EvidenceRead, ResponsesImport, RoundsWrite, Admin];

    public static bool IsKnown(string? scope) => scope is not null && All.Contains(scope, StringComparer.Ordinal);

    /// <summary>True when a token holding <paramref name="held"/> may use an endpoint that needs <paramref name="needed"/>.</summary>
    public static bool Grants(IEnumerable<string> held, string needed) =>
        held.Any(s => s == Admin || s == needed);

    /// <summary>
    /// Splits "evidence:read, rounds:write" or "evidence:read rounds:write" into distinct known scopes.
    /// Unknown scopes come back in <paramref name="unknown"/>; the result is in the order of <see cref="All"/>.
    /// </summary>
    public static IReadOnlyList<string> Parse(string? text, out IReadOnlyList<string> unknown)
    {
        var parts = (text ?? "").Split([' ', ',', ';', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        unknown = parts.Where(p => !IsKnown(p)).Distinct(StringComparer.Ordinal).ToList();
        return All.Where(s => parts.Contains(s, StringComparer.Ordinal)).ToList();
    }
}
