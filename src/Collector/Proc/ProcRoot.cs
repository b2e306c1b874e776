namespace IpcAudit.Collector.Proc;

/// <summary>
/// Where /proc is mounted (node_exporter's --path.procfs). Every reader builds paths from it,
/// so tests and `--proc-root` point the whole collector at a fixture tree.
/// </summary>
public sealed class ProcRoot(string path)
{
    public static ProcRoot Live { get; } = new("/proc");

    public string Root { get; } = path.TrimEnd('/') is "" ? "/" : path.TrimEnd('/');
    public bool IsLive => Root == "/proc";

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Whole-file read: /proc reports sizes of 0 or 4096, so never trust a length.</summary>
    public string? ReadText(string relative)
    {
        try { return File.ReadAllText(PathOf(relative)); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }
}
