using System.ComponentModel.DataAnnotations;

namespace Consultation.Web.Infrastructure;

/// <summary>
/// A one-line text (a name, a title, a label) holds no control characters (U+0000–U+001F, U+007F–U+009F): a tab, line
/// break or NUL in one breaks the lists, exports and mails it is shown in, and PostgreSQL refuses NUL in text outright.
/// The API's <c>JsonFields.Text</c> applies the same rule.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class SingleLineAttribute : ValidationAttribute
{
    public static bool IsSingleLine(string? text) => text is null || !text.Any(char.IsControl);

    /// <summary>Multi-line text (descriptions) may keep line breaks and tabs, but no other control character.</summary>
    public static bool IsMultiLine(string? text) => text is null || !text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));

    /// <summary>A multi-line text (a description, a list with one item per line): line breaks and tabs are allowed.</summary>
    public bool AllowLineBreaks { get; init; }

    // Leading and trailing whitespace (a pasted line break) is trimmed before storing, so only what stays counts.
    public override bool IsValid(object? value) =>
        value is not string s || (AllowLineBreaks ? IsMultiLine(s) : IsSingleLine(s.Trim()));
}
