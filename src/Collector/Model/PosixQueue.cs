namespace IpcAudit.Collector.Model;

/// <summary>A POSIX message queue (mq_open), as its file on the mqueue filesystem and mq_getattr show it.</summary>
public sealed record PosixQueue
{
    public required string Name { get; init; }
    public required ulong Inode { get; init; }
    /// <summary>The mqueue filesystem's device (major &lt;&lt; 32 | minor), to match /proc/PID/fd links.</summary>
    public ulong Device { get; init; }
    public required uint Uid { get; init; }
    public required uint Gid { get; init; }
    public required int Mode { get; init; }
    public DateTimeOffset? Mtime { get; init; }
    public DateTimeOffset? Ctime { get; init; }
    /// <summary>QSIZE: bytes queued (message payloads), from the queue file; null when the file is unreadable (another user's 0600 queue).</summary>
    public required long? QsizeBytes { get; init; }
    /// <summary>NOTIFY_PID: the process registered with mq_notify, 0 when none; null when the file is unreadable.</summary>
    public required int? NotifyPid { get; init; }
    /// <summary>mq_curmsgs, mq_maxmsg, mq_msgsize; null when the queue could not be opened read-only.</summary>
    public long? Messages { get; init; }
    public long? MaxMessages { get; init; }
    public long? MessageSize { get; init; }
    /// <summary>Live processes with the queue open now; null when not known.</summary>
    public IReadOnlyList<int>? OpenPids { get; init; }
}
