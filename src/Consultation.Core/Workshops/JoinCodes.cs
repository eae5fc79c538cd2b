namespace Consultation.Core.Workshops;

/// <summary>
/// Six-character workshop join codes typed on phones (issue 4). The alphabet leaves out characters that are
/// read or typed as one another: 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, U/V.
/// </summary>
public static class JoinCodes
{
    public const int Length = 6;
    public const string Alphabet = "ACEFGHJKMNPRTWXY3479";

    /// <summary>A new code. <paramref name="next"/> returns a uniform integer in [0, max): a cryptographic source in the app, a seeded one in tests.</summary>
    public static string Generate(Func<int, int> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return string.Create(Length, next, static (span, n) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var k = n(Alphabet.Length);
                if (k < 0 || k >= Alphabet.Length) throw new InvalidOperationException("The random source returned a value out of range.");
                span[i] = Alphabet[k];
            }
        });
    }

    /// <summary>What a person typed, upper-cased without spaces or dashes; the result may still be malformed.</summary>
    public static string Normalize(string? input) =>
        new([.. (input ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToUpperInvariant)]);

    public static bool IsWellFormed(string? code) =>
        code is { Length: Length } && code.All(c => Alphabet.Contains(c, StringComparison.Ordinal));
}
