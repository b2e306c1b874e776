namespace IpcAudit.Collector.Model;

/// <summary>
/// `show --object KIND:NAME`: one POSIX object of a snapshot (the file or queue present then under that name)
/// with every stored state it had in its boot up to that snapshot, oldest first.
/// </summary>
/// <param name="RemovedAt">The first snapshot it was gone at, when one is stored (after the shown snapshot).</param>
public sealed record PosixObjectHistory(string Kind, string Name, DateTimeOffset FirstSeen, DateTimeOffset? RemovedAt, IReadOnlyList<PosixObjectState> States)
{
    /// <summary>The kinds `show --object` takes, as the report names them.</summary>
    public static bool IsKind(string kind) => PosixKinds.All.Contains(kind);
}

/// <summary>A stored state, valid from <see cref="From"/> until <see cref="To"/> (null: still valid at the last snapshot). <see cref="File"/> for posix_shm and posix_sem, <see cref="Queue"/> for posix_mq.</summary>
public sealed record PosixObjectState(DateTimeOffset From, DateTimeOffset? To, PosixShmObject? File, PosixQueue? Queue);
