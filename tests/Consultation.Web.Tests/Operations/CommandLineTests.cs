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

    private static string WebDll()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Consultation.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(dir.FullName, "src", "Consultation.Web", "bin", configuration, "net10.0", "Consultation.Web.dll");
        Assert.True(File.Exists(dll), dll);
        return dll;
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = app.Root };
        psi.ArgumentList.Add(WebDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Database__SqlitePath"] = app.DatabasePath;
        psi.Environment["DataProtection__KeysDirectory"] = Path.Combine(app.Root, "keys");
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

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
        Assert.True(backup.Exit == 0, backup.Err);
        await using (var copy = new SqliteConnection($"Data Source={backupFile};Pooling=False"))
            Assert.Equal(1, await copy.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users WHERE email = 'ops@ministry.example'"));

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
