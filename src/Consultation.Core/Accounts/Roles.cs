namespace Consultation.Core.Accounts;

/// <summary>The portal's four roles (see DOMAIN.md, confidentiality rules).</summary>
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string Coordinator = "Coordinator";
    public const string Facilitator = "Facilitator";
    public const string Respondent = "Respondent";

    public static IReadOnlyList<string> All { get; } = [Administrator, Coordinator, Facilitator, Respondent];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}
