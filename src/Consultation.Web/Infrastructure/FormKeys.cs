namespace Consultation.Web.Infrastructure;

/// <summary>
/// One-time keys of rendered forms that create something (a round, an evidence snapshot): a hidden field with a new key
/// on each page load, stored with what the post created, so the same form posted again (Back, then the button again;
/// a double click) finds it instead of creating a duplicate.
/// </summary>
public static class FormKeys
{
    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>The key when it is one <see cref="New"/> makes (32 hexadecimal digits); otherwise (a hand-made post) null: nothing is keyed.</summary>
    public static string? Valid(string? key) => key is { Length: 32 } && Guid.TryParseExact(key, "N", out _) ? key : null;
}
