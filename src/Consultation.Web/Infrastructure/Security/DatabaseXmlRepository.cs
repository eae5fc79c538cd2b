using System.Xml.Linq;
using Consultation.Web.Infrastructure.Data;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Consultation.Web.Infrastructure.Security;

/// <summary>
/// Data Protection keys in the shared database (<c>data_protection_keys</c>), so every instance behind it reads
/// the same key ring: a sign-in cookie, antiforgery token or reset link made by one instance opens on any other.
/// Data Protection calls this synchronously and rarely (start-up, then about once a day, and when it makes a key).
/// </summary>
public sealed class DatabaseXmlRepository(Db db, TimeProvider clock) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var conn = db.OpenAsync().GetAwaiter().GetResult();
        return [.. conn.Query<string>("SELECT xml FROM data_protection_keys ORDER BY id").Select(x => XElement.Parse(x))];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var conn = db.OpenAsync().GetAwaiter().GetResult();
        // A key is written once under its own id; the same element stored twice is the same key.
        conn.Execute("""
            INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@friendlyName, @Xml, @now)
            ON CONFLICT (friendly_name) DO NOTHING
            """, new { friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting), now = clock.GetUtcNow() });
    }
}
