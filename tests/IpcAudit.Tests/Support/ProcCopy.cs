namespace IpcAudit.Tests.Support;

/// <summary>A writable copy of a committed fixture /proc tree, symlinks kept as links (ns/ipc targets are not paths).</summary>
public static class ProcCopy
{
    public static string Of(string fixture, string destination)
    {
        Copy(new DirectoryInfo(TestPaths.ProcFixture(fixture)), destination);
        return destination;
    }

    private static void Copy(DirectoryInfo from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in from.EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (entry is DirectoryInfo dir) Copy(dir, target);
            else File.Copy(entry.FullName, target);
        }
    }
}
