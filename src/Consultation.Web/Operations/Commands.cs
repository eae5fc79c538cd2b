using System.Security.Cryptography;
using Consultation.Core.Accounts;
using Consultation.Web.Infrastructure.Data;
using Consultation.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;

namespace Consultation.Web.Operations;

/// <summary>Operator commands run by the same binary: <c>migrate</c>, <c>create-admin --email E</c>, <c>backup --to FILE</c>.</summary>
public static class Commands
{
    private static readonly string[] Names = ["migrate", "create-admin", "backup"];

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
                case "backup":
                    var to = Option(args, "--to");
                    if (string.IsNullOrWhiteSpace(to)) return Fail("Usage: backup --to FILE");
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
