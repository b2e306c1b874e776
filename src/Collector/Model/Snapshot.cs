namespace IpcAudit.Collector.Model;

/// <summary>Everything one `ipcaudit collect` saw at one moment.</summary>
public sealed record Snapshot
{
    public required HostIdentity Host { get; init; }
    public required DateTimeOffset TakenAt { get; init; }
    public required string CollectorVersion { get; init; }
    public required IpcLimits Limits { get; init; }
    public required IpcUsage Usage { get; init; }
    public required IReadOnlyList<ShmSegment> Shm { get; init; }
    public required IReadOnlyList<SemArray> Sem { get; init; }
    public required IReadOnlyList<MsgQueue> Msg { get; init; }
    public required IReadOnlyList<ProcessInfo> Processes { get; init; }
    public required IReadOnlyList<CollectionStep> Steps { get; init; }
    /// <summary>
    /// When the oldest live process of the collector's IPC namespace started; null when not read (the
    /// initial namespace, which never ends, or a failed process step). Tells a namespace that reused an
    /// inode from the one that had it before.
    /// </summary>
    public DateTimeOffset? NamespaceOldestStart { get; init; }
    /// <summary>Names of the uids and gids the objects and processes use, from the host's own passwd and group files.</summary>
    public IReadOnlyList<AccountName> AccountNames { get; init; } = [];
    /// <summary>What this snapshot's IPC namespace is ("host", a container); null when not labelled (a saved /proc).</summary>
    public NamespaceLabel? Namespace { get; init; }
    /// <summary>POSIX shared memory, named semaphores and message queues; null when not collected (a saved /proc copy).</summary>
    public PosixIpc? Posix { get; init; }
    /// <summary>Human notes, e.g. "this kernel has no System V IPC (/proc/sysvipc missing)".</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public bool StepSucceeded(string name) => Steps.Any(s => s.Name == name && s.Succeeded);
}
