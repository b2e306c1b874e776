namespace IpcAudit.Collector.Model;

/// <summary>
/// One IPC namespace in use, as a pass over /proc/PID/ns/ipc found it: its inode and its live processes,
/// oldest first (the oldest is the one whose command labels it and whose links are entered first).
/// </summary>
public sealed record IpcNamespaceMembers(ulong Inode, IReadOnlyList<int> PidsOldestFirst);
