using System.Data.Common;
using Consultation.Web.Infrastructure.Data;

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

    /// <summary>
    /// Runs <paramref name="insert"/>, which stores <paramref name="key"/> under a unique index; null when the key is
    /// taken: the same form posted twice at once (a double click) — the other post created the row and has committed,
    /// or this insert would have waited for it. The caller rolls back and goes to what the other post created.
    /// </summary>
    public static async Task<T?> InsertOnceAsync<T>(string? key, Func<Task<T>> insert) where T : struct
    {
        try
        {
            return await insert();
        }
        catch (DbException ex) when (key is not null && DbErrors.IsUniqueViolation(ex))
        {
            return null;
        }
    }
}
