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

    /// <summary>
    /// Whole-file read (/proc reports sizes of 0 or 4096, so never trust a length), decoded as UTF-8
    /// with replacement; null when the file does not exist. Only regular files of a sane size are read
    /// (<see cref="ProcFile"/>): anything else is an IOException that names the path and what it is.
    /// </summary>
    public string? ReadText(string relative) => ProcFile.ReadText(PathOf(relative));
}
