using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>
/// Whether a removal fits systemd-logind's RemoveIPC=yes. When a user's last session ends, logind's
/// user_finalize() (src/login/logind-user.c) calls clean_ipc_by_uid() only for a uid that is not a
/// system uid ("exclude system users generally from IPC clean-up, and do it only for normal users":
/// cron jobs run in PAM sessions under service accounts). clean_ipc() (src/shared/clean-ipc.c)
/// refuses root, then removes every System V segment, array and queue whose owner uid matches,
/// except segments with attachments (n_attached &gt; 0 are skipped). So the signature, seen from
/// two snapshots, is: an owner uid above SYS_UID_MAX, a segment that was unattached at the last
/// snapshot before, and every object of that uid gone by the next one — bar segments attached then.
/// </summary>
public sealed class RemoveIpcSignature(WindowHistory history, ContextWindow context,
    IReadOnlyList<ObjectRecord> objects, IReadOnlyDictionary<long, OwnerSpan[]> owners)
{
    /// <summary>What systemd and shadow use when login.defs does not say: uids up to 999 are system accounts.</summary>
    public const uint DefaultSysUidMax = 999;

    public uint SysUidMax { get; } = context.SysUidMax is { } v and >= 0 and <= uint.MaxValue ? (uint)v : DefaultSysUidMax;

    private readonly Dictionary<(uint Uid, int Snapshot), bool> _allGone = [];

    /// <summary>Only the owner rule, which needs no reads: an object of a system uid never fits.</summary>
    public bool MayFit(ObjectRecord o, long removedAt)
    {
        var i = context.Window.IndexAtOrAfter(removedAt);
        return i > 0 && i < context.Window.Count && OwnerAt(o, context.Window.Times[i - 1]) is { } uid && uid > SysUidMax;
    }

    /// <summary>The object, gone at snapshot <paramref name="removedAt"/> of this context, was removed as logind removes a user's objects.</summary>
    public bool Fits(ObjectRecord o, long removedAt)
    {
        var i = context.Window.IndexAtOrAfter(removedAt);
        if (i <= 0 || i >= context.Window.Count || context.Window.Times[i] != removedAt) return false;
        var before = context.Window.Times[i - 1];
        if (OwnerAt(o, before) is not { } uid || uid <= SysUidMax) return false;
        if (o.Kind == IpcKind.Shm && Attached(o, before)) return false;
        if (!_allGone.TryGetValue((uid, i), out var gone)) _allGone[(uid, i)] = gone = AllGone(uid, before, removedAt);
        return gone;
    }

    /// <summary>Every object the uid owned at <paramref name="before"/> is gone at <paramref name="after"/>, except segments attached then.</summary>
    private bool AllGone(uint uid, long before, long after)
    {
        var survivors = objects.Where(o => o.PresentAt(before) && o.PresentAt(after) && OwnerAt(o, before) == uid).ToList();
        if (survivors.Any(o => o.Kind != IpcKind.Shm)) return false;
        // On a server, the survivors' states in one statement rather than a round trip each.
        history.ReadAhead(StateQuery.Shm, [.. survivors.Select(o => o.ObjectId)], after);
        return survivors.All(o => Attached(o, after));
    }

    private uint? OwnerAt(ObjectRecord o, long at)
    {
        if (!owners.TryGetValue(o.ObjectId, out var spans)) return null;
        foreach (var s in spans) if (s.From <= at && at < s.To) return s.Uid;
        return spans[^1].Uid;
    }

    /// <summary>The segment's state at <paramref name="at"/> has attachments.</summary>
    private bool Attached(ObjectRecord o, long at) =>
        history.NewestFirst(StateQuery.Shm, o.ObjectId, at).Take(1).Any(s => s.Nattch > 0);
}
