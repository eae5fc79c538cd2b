using System.Diagnostics;

namespace Consultation.Web.Tests.Operations;

/// <summary>Runs the real binary's operator commands (`dotnet Consultation.Web.dll migrate | create-admin | …`) on a test app's database.</summary>
public static class PortalCommand
{
    public static string WebDll()
    {
        var root = Repository.Root;
        Assert.NotNull(root);
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(root, "src", "Consultation.Web", "bin", configuration, "net10.0", "Consultation.Web.dll");
        Assert.True(File.Exists(dll), dll);
        return dll;
    }

    public static async Task<(int Exit, string Out, string Err)> RunAsync(PortalFactory app, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = app.Root };
        psi.ArgumentList.Add(WebDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in app.Database.Settings) psi.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        psi.Environment["DataProtection__KeysDirectory"] = Path.Combine(app.Root, "keys");
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
