using System.Security.Cryptography;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Operations;

/// <summary>
/// Operator commands run by the same binary: <c>migrate</c>, <c>create-admin --email E</c>, <c>backup --to FILE</c>,
/// <c>create-token --name N --scopes S [--days D] [--user EMAIL]</c>.
/// </summary>
public static class Commands
{
    private static readonly string[] Names = ["migrate", "create-admin", "backup", "create-token"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0], StringComparer.Ordinal);

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        try
        {
            switch (args[0])
            {
                case "migrate":
                    var applied = await app.Services.GetRequiredService<Migrator>().MigrateAsync();
                    Console.WriteLine(applied.Count == 0 ? "Database is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
                    return 0;
                case "create-admin":
                    return await CreateAdminAsync(app, Option(args, "--email"));
                case "create-token":
                    return await CreateTokenAsync(app, args);
                case "backup":
                    var to = Option(args, "--to");
                    if (string.IsNullOrWhiteSpace(to)) return Fail("Usage: backup --to FILE");
                    if (app.Services.GetRequiredService<Db>().Dialect != DatabaseProvider.Sqlite)
                        return Fail("The backup command copies the SQLite file. On PostgreSQL back up with pg_dump, e.g. " +
                                    "pg_dump --format=custom --file=consultation.dump DATABASE (see README, Backups).");
                    await app.Services.GetRequiredService<Migrator>().MigrateAsync();
                    await app.Services.GetRequiredService<Db>().BackupAsync(to);
                    Console.WriteLine($"Backup written to {Path.GetFullPath(to)}");
                    return 0;
            }
        }
        catch (MigrationException ex)
        {
            return Fail(ex.Message);
        }
        return Fail($"Unknown command {args[0]}.");
    }

    private static async Task<int> CreateAdminAsync(WebApplication app, string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal))
            return Fail("Usage: create-admin --email ADDRESS");
        await app.Services.GetRequiredService<Migrator>().MigrateAsync();
        using var scope = app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var password = OneTimePassword();
        var user = await users.FindByEmailAsync(email);
        IdentityResult result;
        if (user is null)
        {
            user = new AppUser { Email = email, DisplayName = email, EmailConfirmed = true, MustChangePassword = true };
            result = await users.CreateAsync(user, password);
        }
        else
        {
            // An existing account: reset its password to a one-time one rather than creating a duplicate.
            user.MustChangePassword = true;
            var token = await users.GeneratePasswordResetTokenAsync(user);
            result = await users.ResetPasswordAsync(user, token, password);
        }
        if (!result.Succeeded) return Fail(string.Join(" ", result.Errors.Select(e => e.Description)));
        if (!await users.IsInRoleAsync(user, Roles.Administrator)) await users.AddToRoleAsync(user, Roles.Administrator);
        await scope.ServiceProvider.GetRequiredService<AuditLog>().WriteAsync(AuditActions.AdminCreated, email, actorEmail: "command-line");
        Console.WriteLine($"Administrator {email} is ready.");
        Console.WriteLine($"One-time password: {password}");
        Console.WriteLine("It must be changed at the first sign-in.");
        return 0;
    }

    /// <summary>
    /// An API token for the ministry's tools. The API acts as the administrator given by <c>--user</c>
    /// (default: the first administrator). The token is printed once, on a line of its own.
    /// </summary>
    private static async Task<int> CreateTokenAsync(WebApplication app, string[] args)
    {
        const string usage = "Usage: create-token --name NAME --scopes \"evidence:read,responses:import,rounds:write|admin\" [--days 1-3650] [--user ADMIN_EMAIL]";
        var name = Option(args, "--name")?.Trim();
        var scopes = Api.ApiScopes.Parse(Option(args, "--scopes"), out var unknown);
        var daysText = Option(args, "--days");
        var days = Api.ApiTokens.DefaultDays;
        if (string.IsNullOrEmpty(name) || name.Length > Api.ApiTokens.MaxNameLength) return Fail(usage);
        if (unknown.Count > 0) return Fail($"Unknown scope(s): {string.Join(", ", unknown)}. Scopes: {string.Join(", ", Api.ApiScopes.All)}.");
        if (scopes.Count == 0) return Fail(usage);
        if (daysText is not null && (!int.TryParse(daysText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out days)
                                     || days < 1 || days > Api.ApiTokens.MaxDays))
            return Fail($"--days must be a whole number from 1 to {Api.ApiTokens.MaxDays}.");

        await app.Services.GetRequiredService<Migrator>().MigrateAsync();
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        await using var conn = await db.OpenAsync();
        var email = Option(args, "--user");
        var admin = await Dapper.SqlMapper.QueryFirstOrDefaultAsync<AdminRow>(conn, """
            SELECT u.id, u.email FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
             WHERE r.name = @Admin AND (@email IS NULL OR u.normalized_email = upper(@email))
             ORDER BY u.id LIMIT 1
            """, new { Admin = Roles.Administrator, email });
        if (admin is null)
            return Fail(email is null ? "There is no administrator yet: run create-admin first." : $"{email} is not an administrator.");
        await using var tx = await conn.BeginTransactionAsync();
        var created = await Api.ApiTokens.CreateAsync(conn, tx, scope.ServiceProvider.GetRequiredService<AuditLog>(), name, scopes,
            admin.Id, "command-line", app.Services.GetRequiredService<TimeProvider>().GetUtcNow(), days, CancellationToken.None);
        await tx.CommitAsync();
        Console.WriteLine($"API token \"{name}\" ({string.Join(' ', scopes)}) acts as {admin.Email} and expires {created.ExpiresAt:yyyy-MM-dd HH:mm} UTC.");
        Console.WriteLine("Store it now; it is not shown again:");
        Console.WriteLine(created.Token);
        return 0;
    }

    private sealed record AdminRow
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
    }

    private static string OneTimePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        return string.Create(16, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
