using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>
/// Objects created and removed in the window, per unit, kind and owner; and those that vanished
/// while a pid that used them was still alive at the removal snapshot in the way systemd-logind's
/// RemoveIPC=yes removes them (<see cref="RemoveIpcSignature"/>). Any other removal, even under a
/// live user (the program's own IPC_RMID, an administrator's ipcrm), is a plain removal.
/// <para>
/// Created: first seen after the unit's first snapshot in the window (objects present when the
/// window opens are its start, not its churn). Removed: gone at a later snapshot, or still present
/// at the last snapshot of a boot that a reboot ended. So per owner, end = start + created − removed
/// (unless IPC_SET moved objects between owners).
/// </para>
/// </summary>
public sealed class ChurnAnalyzer(IReadOnlyList<HistoryUnit> units)
{
    private static readonly string[] Kinds = [IpcKind.Shm, IpcKind.Sem, IpcKind.Msg];
    private readonly Dictionary<(string Unit, string Kind, uint Owner), LifecycleCount> _counts = [];
    private readonly Dictionary<(string Unit, string Kind), long> _vanished = [];
    private readonly Dictionary<(string Unit, string Kind), long> _reaped = [];
    // Per unit, the SYS_UID_MAX its latest context was judged by, and whether it was assumed.
    private readonly Dictionary<string, (uint Value, bool Assumed)> _sysUidMax = [];

    public sealed class LifecycleCount
    {
        public long Created { get; set; }
        public long Removed { get; set; }
    }

    public LifecycleCount? CountsOf(string unit, string kind, uint owner) => _counts.GetValueOrDefault((unit, kind, owner));

    public IEnumerable<(string Kind, uint Owner)> OwnersOf(string unit) =>
        _counts.Keys.Where(k => k.Unit == unit).Select(k => (k.Kind, k.Owner));

    public void Observe(HistoryUnit unit, int contextIndex, IReadOnlyList<ObjectRecord> objects,
        IReadOnlyDictionary<long, OwnerSpan[]> owners, WindowHistory history)
    {
        var context = unit.Contexts[contextIndex];
        var endedByReboot = contextIndex < unit.Contexts.Count - 1;
        var removeIpc = new RemoveIpcSignature(history, context, objects, owners);
        _sysUidMax[unit.Label] = (removeIpc.SysUidMax, context.SysUidMax is null);
        foreach (var o in objects)
        {
            if (!owners.TryGetValue(o.ObjectId, out var spans)) continue;
            if (o.FirstSeen > unit.WindowStart) Count(unit.Label, o.Kind, spans[0].Uid).Created++;
            if (o.RemovedAt is { } removedAt && removedAt > unit.WindowStart && removedAt <= context.WindowEnd)
            {
                Count(unit.Label, o.Kind, spans[^1].Uid).Removed++;
                // Reap removes only orphans, after checking nobody uses them: never a removal under a live user.
                if (history.ReapedObjects.Contains(o.ObjectId))
                    _reaped[(unit.Label, o.Kind)] = _reaped.GetValueOrDefault((unit.Label, o.Kind)) + 1;
                // Cheapest test first: the owner rule, then a live user, then every other object of the uid.
                else if (removeIpc.MayFit(o, removedAt) && UsedAtRemoval(history, context, o, removedAt) && removeIpc.Fits(o, removedAt))
                    _vanished[(unit.Label, o.Kind)] = _vanished.GetValueOrDefault((unit.Label, o.Kind)) + 1;
            }
            else if (endedByReboot && o.PresentAt(context.WindowEnd))
            {
                // The next boot does not have it: the reboot removed it, and every process with it.
                Count(unit.Label, o.Kind, spans[^1].Uid).Removed++;
            }
        }
    }

    /// <summary>A pid that used the object in its last state was alive at the removal snapshot (which must know liveness).</summary>
    private static bool UsedAtRemoval(WindowHistory history, ContextWindow context, ObjectRecord o, long removedAt)
    {
        var i = context.Window.IndexAtOrAfter(removedAt);
        if (i >= context.Window.Count || context.Window.Times[i] != removedAt || !context.Window.ProcessesOk[i]) return false;
        var users = o.Kind switch
        {
            IpcKind.Shm => history.NewestFirst(StateQuery.Shm, o.ObjectId, removedAt).Take(1).SelectMany(s => ObjectUsers.All(o, s)).ToList(),
            IpcKind.Sem => history.NewestFirst(StateQuery.Sem, o.ObjectId, removedAt).Take(1).SelectMany(s => ObjectUsers.All(s)).ToList(),
            _ => history.NewestFirst(StateQuery.Msg, o.ObjectId, removedAt).Take(1).SelectMany(s => ObjectUsers.All(s)).ToList(),
        };
        return users.Any(u => context.Processes.AliveAt(u.Pid, removedAt, u.OpTime));
    }

    private LifecycleCount Count(string unit, string kind, uint owner)
    {
        if (!_counts.TryGetValue((unit, kind, owner), out var c)) _counts[(unit, kind, owner)] = c = new LifecycleCount();
        return c;
    }

    public IReadOnlyList<ChurnRow> Rows() => [.. units.SelectMany(RowsOf)];

    /// <summary>One unit's rows, a kind each.</summary>
    public IEnumerable<ChurnRow> RowsOf(HistoryUnit u) =>
        Kinds.Select(kind =>
        {
            var counts = _counts.Where(c => c.Key.Unit == u.Label && c.Key.Kind == kind).Select(c => c.Value).ToList();
            return new ChurnRow
            {
                Host = u.Label, Kind = kind, Created = counts.Sum(c => c.Created), Removed = counts.Sum(c => c.Removed),
                VanishedWhileUsed = _vanished.GetValueOrDefault((u.Label, kind)),
                Reaped = _reaped.GetValueOrDefault((u.Label, kind)),
                SysUidMax = _sysUidMax.TryGetValue(u.Label, out var s) ? s.Value : RemoveIpcSignature.DefaultSysUidMax,
                SysUidMaxAssumed = !_sysUidMax.TryGetValue(u.Label, out var a) || a.Assumed,
            };
        });
}
