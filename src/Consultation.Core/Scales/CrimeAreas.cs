namespace Consultation.Core.Scales;

/// <summary>Seeded crime area codes (DOMAIN.md, "Crime areas"). Administrators may add more in the database.</summary>
public static class CrimeAreas
{
    public const string Drugs = "DRUGS";
    public const string MigrantSmuggling = "MIGRANT_SMUGGLING";
    public const string Thb = "THB";
    public const string Cyber = "CYBER";
    public const string Financial = "FINANCIAL";
    public const string MoneyLaundering = "MONEY_LAUNDERING";
    public const string Firearms = "FIREARMS";
    public const string Extortion = "EXTORTION";
    public const string Robbery = "ROBBERY";
    public const string VehicleCrime = "VEHICLE_CRIME";
    public const string Ocg = "OCG";

    public static IReadOnlyList<string> Seeded { get; } =
        [Drugs, MigrantSmuggling, Thb, Cyber, Financial, MoneyLaundering, Firearms, Extortion, Robbery, VehicleCrime, Ocg];
}

/// <summary>The five indicator groups; every scale is 1–5 and higher means more threatening (DOMAIN.md, "Indicators").</summary>
public static class Indicators
{
    public const string Resources = "RESOURCES";
    public const string Scope = "SCOPE";
    public const string Flexibility = "FLEXIBILITY";
    public const string SocialTolerance = "SOCIAL_TOLERANCE";
    public const string Damage = "DAMAGE";

    public static IReadOnlyList<string> All { get; } = [Resources, Scope, Flexibility, SocialTolerance, Damage];

    public const int Min = 1;
    public const int Max = 5;

    public static bool IsKnown(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);
    public static bool InScale(double value) => value >= Min && value <= Max;
}

/// <summary>Confidence a respondent states for a crime area block; HIGH when not asked (DOMAIN.md).</summary>
public enum Confidence { High, Medium, Low }

public static class ConfidenceCodes
{
    public static string Code(Confidence c) => c switch { Confidence.Medium => "MEDIUM", Confidence.Low => "LOW", _ => "HIGH" };

    public static bool TryParse(string? code, out Confidence confidence)
    {
        switch (code)
        {
            case "HIGH": confidence = Confidence.High; return true;
            case "MEDIUM": confidence = Confidence.Medium; return true;
            case "LOW": confidence = Confidence.Low; return true;
            default: confidence = Confidence.High; return false;
        }
    }
}

/// <summary>PESTLE dimensions (DOMAIN.md). A factor is scored for impact and likelihood, each 1–5.</summary>
public static class PestleDimensions
{
    public const string Political = "POLITICAL";
    public const string Economic = "ECONOMIC";
    public const string Social = "SOCIAL";
    public const string Technological = "TECHNOLOGICAL";
    public const string Legal = "LEGAL";
    public const string Environmental = "ENVIRONMENTAL";

    public static IReadOnlyList<string> All { get; } = [Political, Economic, Social, Technological, Legal, Environmental];

    public static bool IsKnown(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);
}
