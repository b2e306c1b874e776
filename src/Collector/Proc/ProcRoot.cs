using System.Globalization;
using System.IO.Enumeration;

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

    /// <summary>
    /// The numeric entries of the root. Enumerated as strings: FileSystemEnumerable&lt;string&gt; runs on
    /// the framework's precompiled code, while an &lt;int&gt; instantiation is JIT-compiled at every start.
    /// </summary>
    public IEnumerable<int> ProcessIds()
    {
        var names = new FileSystemEnumerable<string>(Root, static (ref FileSystemEntry e) => e.FileName.ToString(),
            new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true })
        {
            ShouldIncludePredicate = static (ref FileSystemEntry e) => e.IsDirectory && IsPid(e.FileName),
        };
        foreach (var name in names) yield return int.Parse(name, CultureInfo.InvariantCulture);
    }

    private static bool IsPid(ReadOnlySpan<char> name) =>
        name.Length is > 0 and <= 9 && !name.ContainsAnyExceptInRange('0', '9');
}
