using System.Globalization;
using IpcAudit.Collector.Output;

namespace IpcAudit.Collector.Collection;

/// <summary>`collect --namespaces all|self|INODE[,INODE...]`: which IPC namespaces one collect stores.</summary>
/// <param name="IsDefault">Not chosen: a non-root collector then says when other namespaces exist that it cannot enter.</param>
public sealed record NamespaceSelection(bool All, bool Self, IReadOnlySet<ulong> Inodes, bool IsDefault = false)
{
    public static readonly NamespaceSelection OnlySelf = new(false, true, new HashSet<ulong>());
    public static readonly NamespaceSelection Every = new(true, true, new HashSet<ulong>());

    /// <summary>All as root (who can enter every namespace), self otherwise.</summary>
    public static NamespaceSelection Default => (Environment.IsPrivilegedProcess ? Every : OnlySelf) with { IsDefault = true };

    public bool Includes(ulong inode, ulong? self) => All || Self && inode == self || Inodes.Contains(inode);

    /// <summary>Null or empty gives the default; a bad value is exit 3 naming what is accepted.</summary>
    public static NamespaceSelection Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Default;
        var all = false;
        var self = false;
        var inodes = new HashSet<ulong>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part == "all") all = true;
            else if (part == "self") self = true;
            else if (ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var inode) && inode > 0) inodes.Add(inode);
            else
                throw new IpcAuditException(
                    $"--namespaces: '{TerminalText.Clean(part)}' is not all, self or an IPC namespace inode (the number in `readlink /proc/PID/ns/ipc`)",
                    ExitCodes.BadInput);
        }
        return new NamespaceSelection(all, self || all, inodes);
    }
}
