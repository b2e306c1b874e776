namespace IpcAudit.Tests.Support;

/// <summary>
/// Fixture trees are read where they are committed, not copied to bin/: they hold dangling
/// symlinks (ns/ipc -> "ipc:[4026531839]") that a build copy would break.
/// </summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Fixtures => Path.Combine(RepoRoot, "tests", "IpcAudit.Tests", "Fixtures");

    /// <summary>A committed fake /proc tree, e.g. ProcFixture("modern").</summary>
    public static string ProcFixture(string name) => Path.Combine(Fixtures, "proc", name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "IpcAudit.sln"))) return dir.FullName;
        throw new InvalidOperationException("IpcAudit.sln not found above " + AppContext.BaseDirectory);
    }
}
