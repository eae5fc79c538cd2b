namespace Consultation.Core.Organisations;

/// <summary>Organisation categories from DOMAIN.md; a round weighs each category (default 1.0).</summary>
public static class OrganisationCategory
{
    public const string Ministry = "MINISTRY";
    public const string Agency = "AGENCY";
    public const string Ngo = "NGO";
    public const string Academic = "ACADEMIC";
    public const string International = "INTERNATIONAL";
    public const string Other = "OTHER";

    public static IReadOnlyList<string> All { get; } = [Ministry, Agency, Ngo, Academic, International, Other];

    public static bool IsKnown(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);
}
