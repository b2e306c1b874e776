namespace IpcAudit.Collector.Model;

/// <summary>
/// Kernel limits (`ipcs -l`). ulong because shmall/shmmax can be close to 2^64
/// (18446744073692774399 is a real default); null when the sysctl could not be read.
/// </summary>
public sealed record IpcLimits
{
    public ulong? Shmmax { get; init; }
    public ulong? Shmall { get; init; }
    public ulong? Shmmni { get; init; }
    public ulong? ShmRmidForced { get; init; }
    public ulong? Semmsl { get; init; }
    public ulong? Semmns { get; init; }
    public ulong? Semopm { get; init; }
    public ulong? Semmni { get; init; }
    public ulong? Msgmax { get; init; }
    public ulong? Msgmnb { get; init; }
    public ulong? Msgmni { get; init; }
}
