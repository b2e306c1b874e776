namespace IpcAudit.Report.Model;

/// <summary>
/// Per host and kind: objects created and removed in the window, and those that vanished while a
/// pid that used them was still alive, removed the way systemd-logind's RemoveIPC=yes removes a
/// user's objects (a uid above SYS_UID_MAX, unattached segments, all of the uid's objects at once).
/// </summary>
public sealed record ChurnRow
{
    public required string Host { get; init; }
    /// <summary>The IPC namespace inode of the row's unit, and its label ("host", "docker:3f2a1b9c0d1e"); null when unknown.</summary>
    public long? Namespace { get; init; }
    public string? NamespaceLabel { get; init; }
    public required string Kind { get; init; }
    public required long Created { get; init; }
    public required long Removed { get; init; }
    public required long VanishedWhileUsed { get; init; }
    /// <summary>Of <see cref="Removed"/>, the objects `ipcaudit reap` removed (never counted as vanished while used).</summary>
    public long Reaped { get; init; }
    /// <summary>The highest system uid the RemoveIPC rule used: SYS_UID_MAX from the host's login.defs, else 999.</summary>
    public uint SysUidMax { get; init; } = 999;
    /// <summary>login.defs did not say (not collected, absent or unparsable): 999 was assumed.</summary>
    public bool SysUidMaxAssumed { get; init; } = true;
}
