namespace Consultation.Testing;

/// <summary>The checkout the tests run from: the folder holding Consultation.sln above the test binaries.</summary>
public static class Repository
{
    /// <summary>The repository root, or null when the binaries run outside a checkout.</summary>
    public static string? Root { get; } = Find();

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Consultation.sln"))) return dir.FullName;
        return null;
    }
}
