using System.Diagnostics.CodeAnalysis;

namespace Consultation.Core.Scales;

/// <summary>
/// Europol's 4x4 evaluation of a submitted response (DOMAIN.md, "Grading"): source reliability A, B, C, X
/// and information 1–4, written like <c>B2</c>. The UK 3x5x2 orders letters and numbers differently and is
/// never converted silently: anything that is not exactly a 4x4 code fails to parse.
/// </summary>
public readonly record struct Grading(char Source, int Information)
{
    public static readonly Grading Default = new('B', 2);

    public static bool IsValidSource(char c) => c is 'A' or 'B' or 'C' or 'X';
    public static bool IsValidInformation(int i) => i is >= 1 and <= 4;

    public static bool TryParse([NotNullWhen(true)] string? code, out Grading grading)
    {
        grading = default;
        if (code is not { Length: 2 }) return false;
        var source = char.ToUpperInvariant(code[0]);
        var info = code[1] - '0';
        if (!IsValidSource(source) || !IsValidInformation(info)) return false;
        grading = new Grading(source, info);
        return true;
    }

    public static Grading Parse(string code) =>
        TryParse(code, out var g) ? g : throw new FormatException($"'{code}' is not a Europol 4x4 grading (A, B, C or X followed by 1–4).");

    public override string ToString() => $"{Source}{Information}";
}
