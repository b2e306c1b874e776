namespace IpcAudit.Collector.Model;

/// <summary>One System V message queue, from /proc/sysvipc/msg plus msgctl IPC_STAT for qbytes.</summary>
public sealed record MsgQueue
{
    public required int Id { get; init; }
    public required uint Key { get; init; }
    public required int Mode { get; init; }
    public required ulong Cbytes { get; init; }
    public required ulong Qnum { get; init; }
    public required int Lspid { get; init; }
    public required int Lrpid { get; init; }
    public required uint Uid { get; init; }
    public required uint Gid { get; init; }
    public required uint Cuid { get; init; }
    public required uint Cgid { get; init; }
    public DateTimeOffset? Stime { get; init; }
    public DateTimeOffset? Rtime { get; init; }
    public DateTimeOffset? Ctime { get; init; }
    /// <summary>Queue capacity in bytes (msg_qbytes); null when unknown.</summary>
    public ulong? Qbytes { get; init; }
    public bool Vanished { get; init; }
}
