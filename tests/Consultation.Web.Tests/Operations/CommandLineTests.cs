using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Consultation.Web.Tests.Operations;

/// <summary>The operator commands of the real binary (`dotnet Consultation.Web.dll migrate | create-admin | backup`).</summary>
public sealed partial class CommandLineTests(PortalFactory app) : IClassFixture<PortalFactory>
{
    [GeneratedRegex("One-time password: (\\S+)")]
    private static partial Regex OneTimePassword();

    private Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => PortalCommand.RunAsync(app, args);

    [Fact]
    public async Task Migrate_create_admin_backup_and_the_one_time_password_must_be_changed()
    {
        var migrate = await RunAsync("migrate");
        Assert.True(migrate.Exit == 0, migrate.Err);
        Assert.Contains("0001_accounts", migrate.Out, StringComparison.Ordinal);
        Assert.Contains("Database is up to date.", (await RunAsync("migrate")).Out, StringComparison.Ordinal);

        var created = await RunAsync("create-admin", "--email", "ops@ministry.example");
        Assert.True(created.Exit == 0, created.Err);
        var password = OneTimePassword().Match(created.Out).Groups[1].Value;
        Assert.Equal(16, password.Length);

        var backupFile = Path.Combine(app.Root, "backups", "copy.db");
        var backup = await RunAsync("backup", "--to", backupFile);
        if (TestDatabase.IsPostgres)
        {
            // The command copies a SQLite file; on PostgreSQL it refuses and names the server's own tool.
            Assert.Equal(1, backup.Exit);
            Assert.Contains("pg_dump", backup.Err, StringComparison.Ordinal);
            Assert.False(File.Exists(backupFile));
        }
        else
        {
            Assert.True(backup.Exit == 0, backup.Err);
            await using var copy = new SqliteConnection($"Data Source={backupFile};Pooling=False");
            Assert.Equal(1, await copy.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE email = 'ops@ministry.example'"));
        }

        // The web app on the same database: the one-time password signs in, then must be replaced.
        var client = app.CreateBrowserLikeClient();
        var login = await Forms.LoginAsync(client, "ops@ministry.example", password);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var home = await client.GetAsync("/Admin/Users");
        Assert.Equal("/Account/Manage/ChangePassword", home.Headers.Location!.OriginalString);
        var changed = await Forms.PostAsync(client, "/Account/Manage/ChangePassword", new Dictionary<string, string>
        {
            ["Input.OldPassword"] = password, ["Input.NewPassword"] = "my own long password", ["Input.ConfirmPassword"] = "my own long password",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Admin/Users")).StatusCode);
    }

    [Fact]
    public async Task Create_admin_without_an_email_explains_the_usage()
    {
        var result = await RunAsync("create-admin");
        Assert.Equal(1, result.Exit);
        Assert.Contains("Usage: create-admin --email ADDRESS", result.Err, StringComparison.Ordinal);
    }
}
