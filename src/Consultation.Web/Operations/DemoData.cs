using Dapper;
using Consultation.Core.Accounts;
using Consultation.Core.Organisations;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Operations;

/// <summary>
/// Demo organisations and one user per role, seeded on the first start in Development so a new user sees a
/// living portal. The logins are printed and listed in the README.
/// </summary>
public static partial class DemoData
{
    public const string Password = "Demo-Password-2027";

    public static readonly IReadOnlyList<(string Name, string Category, string Country)> Organisations =
    [
        ("Ministry of Interior", OrganisationCategory.Ministry, "RS"),
        ("Border Police Directorate", OrganisationCategory.Agency, "RS"),
        ("Customs Administration", OrganisationCategory.Agency, "RS"),
        ("ASTRA", OrganisationCategory.Ngo, "RS"),
        ("Group 484", OrganisationCategory.Ngo, "RS"),
        ("Share Foundation", OrganisationCategory.Ngo, "RS"),
        ("Faculty of Security Studies", OrganisationCategory.Academic, "RS"),
    ];

    public static readonly IReadOnlyList<(string Email, string Name, string Role, string Organisation)> Users =
    [
        ("admin@demo.local", "Demo Administrator", Roles.Administrator, "Ministry of Interior"),
        ("coordinator@demo.local", "Demo Coordinator", Roles.Coordinator, "Ministry of Interior"),
        ("facilitator@demo.local", "Demo Facilitator", Roles.Facilitator, "Ministry of Interior"),
        ("respondent@demo.local", "Demo Respondent (ASTRA)", Roles.Respondent, "ASTRA"),
        ("respondent2@demo.local", "Demo Respondent (Group 484)", Roles.Respondent, "Group 484"),
    ];

    public static async Task SeedIfEmptyAsync(IServiceProvider services, ILogger logger)
    {
        var db = services.GetRequiredService<Db>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using (var conn = await db.OpenAsync())
        {
            if (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users") > 0) return;
            foreach (var (name, category, country) in Organisations)
            {
                await conn.ExecuteAsync("""
                    INSERT INTO organisations (name, category, country, contact_email, created_at, updated_at)
                    VALUES (@name, @category, @country, @Contact, @now, @now) ON CONFLICT DO NOTHING
                    """, new { name, category, country, Contact = $"info@{name.ToLowerInvariant().Replace(' ', '-')}.example", now });
            }
        }

        using var scope = services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        await using var c = await db.OpenAsync();
        foreach (var (email, name, role, organisation) in Users)
        {
            var orgId = await c.ExecuteScalarAsync<long?>("SELECT id FROM organisations WHERE name = @organisation", new { organisation });
            var user = new AppUser { Email = email, DisplayName = name, EmailConfirmed = true, OrganisationId = orgId };
            var result = await users.CreateAsync(user, Password);
            if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
            await users.AddToRoleAsync(user, role);
        }
        await SeedDemoRoundAsync(services, db, now);
        logger.LogWarning("Demo data seeded. Sign in with password '{Password}' as: {Users}", Password,
            string.Join(", ", Users.Select(u => $"{u.Email} ({u.Role})")));
    }
}
