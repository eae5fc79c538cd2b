namespace Consultation.Core.Aggregation;

/// <summary>
/// How reported figures are rounded (DOMAIN.md, "Aggregation rules": round all reported figures to 4 decimals,
/// half away from zero; compute in double precision). Only the output is rounded, never an intermediate result.
/// </summary>
public static class Figures
{
    public const int Decimals = 4;

    public static double Round(double value) => Math.Round(value, Decimals, MidpointRounding.AwayFromZero);

    public static double? Round(double? value) => value is { } v ? Round(v) : null;
}
