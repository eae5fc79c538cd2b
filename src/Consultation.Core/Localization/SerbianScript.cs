using System.Text;
using System.Text.RegularExpressions;

namespace Consultation.Core.Localization;

/// <summary>
/// Serbian Latin → Cyrillic (Vuk's one-letter-per-sound alphabet), for generating the <c>sr-Cyrl</c> texts
/// from the reviewed <c>sr-Latn</c> ones. What must not change stays Latin: format placeholders
/// (<c>{0}</c>), markup and entities, URLs and e-mail addresses, acronyms and codes (<c>QR</c>, <c>UTC</c>,
/// <c>SOCTA</c>, <c>B2</c>), brand and product names (mixed case like <c>FreeOTP</c>, letters Serbian does
/// not have: q, w, x, y), and a short list of names written in Latin in Serbian Cyrillic texts too.
/// </summary>
public static partial class SerbianScript
{
    private static readonly HashSet<string> KeptNames = new(StringComparer.Ordinal)
    {
        "Google", "Microsoft", "Authenticator", "Aegis", "Europol", "SurveyJS", "Chart", "Chromium", "Excel",
    };

    private static readonly Dictionary<string, string> Digraphs = new(StringComparer.Ordinal)
    {
        ["Lj"] = "Љ", ["LJ"] = "Љ", ["lj"] = "љ",
        ["Nj"] = "Њ", ["NJ"] = "Њ", ["nj"] = "њ",
        ["Dž"] = "Џ", ["DŽ"] = "Џ", ["dž"] = "џ",
    };

    private static readonly Dictionary<char, char> Letters = BuildLetters();

    private static Dictionary<char, char> BuildLetters()
    {
        const string latin = "ABVGDĐEŽZIJKLMNOPRSTĆUFHCČŠ";
        const string cyrillic = "АБВГДЂЕЖЗИЈКЛМНОПРСТЋУФХЦЧШ";
        var map = new Dictionary<char, char>();
        for (var i = 0; i < latin.Length; i++)
        {
            map[latin[i]] = cyrillic[i];
            map[char.ToLowerInvariant(latin[i])] = char.ToLowerInvariant(cyrillic[i]);
        }
        return map;
    }

    // Pieces copied as they are: placeholders, tags, entities, URLs, e-mail addresses.
    [GeneratedRegex(@"\{[^}]*\}|<[^>]*>|&[#a-zA-Z0-9]+;|https?://\S+|[\w.+-]+@[\w-]+(\.[\w-]+)+")]
    private static partial Regex Verbatim();

    [GeneratedRegex(@"\p{L}[\p{L}\p{N}]*|\p{N}[\p{L}\p{N}]*")]
    private static partial Regex Word();

    /// <summary>The Cyrillic spelling of a Serbian Latin text.</summary>
    public static string ToCyrillic(string latin)
    {
        ArgumentNullException.ThrowIfNull(latin);
        var result = new StringBuilder(latin.Length);
        var last = 0;
        foreach (Match m in Verbatim().Matches(latin))
        {
            result.Append(TransliterateWords(latin[last..m.Index]));
            result.Append(m.Value);
            last = m.Index + m.Length;
        }
        result.Append(TransliterateWords(latin[last..]));
        return result.ToString();
    }

    private static string TransliterateWords(string text) =>
        Word().Replace(text, m => KeepsLatin(m.Value) ? m.Value : TransliterateWord(m.Value));

    private static bool KeepsLatin(string word)
    {
        if (KeptNames.Contains(word)) return true;
        if (word.Any(char.IsDigit)) return true; // codes: B2, A1, 2FA
        if (word.Any(c => "qwxyQWXY".Contains(c, StringComparison.Ordinal))) return true;
        var letters = word.Where(char.IsLetter).ToArray();
        // Acronyms (QR, UTC, SOCTA) stay; a capitalised Serbian word gives itself away by its letters (NJEGOŠ).
        if (letters.Length >= 2 && letters.All(char.IsUpper)) return !letters.Any(c => "ČĆŽŠĐ".Contains(c, StringComparison.Ordinal));
        return letters.Skip(1).Any(char.IsUpper); // mixed case: FreeOTP, SurveyJS
    }

    private static string TransliterateWord(string word)
    {
        var sb = new StringBuilder(word.Length);
        for (var i = 0; i < word.Length; i++)
        {
            if (i + 1 < word.Length && Digraphs.TryGetValue(word.Substring(i, 2), out var digraph))
            {
                sb.Append(digraph);
                i++;
            }
            else
            {
                sb.Append(Letters.TryGetValue(word[i], out var c) ? c : word[i]);
            }
        }
        return sb.ToString();
    }
}
