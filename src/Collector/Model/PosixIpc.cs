namespace IpcAudit.Collector.Model;

/// <summary>
/// The POSIX side of a snapshot: /dev/shm files, named semaphores and message queues, with the
/// /dev/shm tmpfs size and the mqueue sysctls. Null values are unknown, never zero.
/// </summary>
public sealed record PosixIpc
{
    public static readonly PosixIpc Empty = new();

    public IReadOnlyList<PosixShmObject> Shm { get; init; } = [];
    public IReadOnlyList<PosixShmObject> Sem { get; init; } = [];
    public IReadOnlyList<PosixQueue> Mq { get; init; } = [];
    /// <summary>statfs of /dev/shm: size and bytes in use.</summary>
    public long? DevshmBytes { get; init; }
    public long? DevshmUsedBytes { get; init; }
    /// <summary>/proc/sys/fs/mqueue/{queues_max,msg_max,msgsize_max,msg_default,msgsize_default}.</summary>
    public long? MqQueuesMax { get; init; }
    public long? MqMsgMax { get; init; }
    public long? MqMsgsizeMax { get; init; }
    public long? MqMsgDefault { get; init; }
    public long? MqMsgsizeDefault { get; init; }
    /// <summary>Queues in this IPC namespace; null when the mqueue step failed.</summary>
    public long? MqQueues { get; init; }

    /// <summary>Every pid any POSIX object names now (holders and mq_notify registrations).</summary>
    public IEnumerable<int> ReferencedPids()
    {
        foreach (var o in Shm.Concat(Sem))
        {
            foreach (var p in o.MappedPids ?? []) yield return p;
            foreach (var p in o.OpenPids ?? []) yield return p;
        }
        foreach (var q in Mq)
        {
            foreach (var p in q.OpenPids ?? []) yield return p;
            if (q.NotifyPid is > 0 and var n) yield return n;
        }
    }
}
