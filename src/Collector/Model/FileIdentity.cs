namespace IpcAudit.Collector.Model;

/// <summary>
/// A file's device (st_dev, as glibc's makedev encodes it) and inode: what ftok() and PostgreSQL
/// build System V keys from.
/// </summary>
public sealed record FileIdentity(ulong Device, ulong Inode);
