using System.Globalization;
using IpcAudit.Collector.Model;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis;

/// <summary>One field that differs: values are numbers, strings, times, booleans or null.</summary>
public sealed record FieldChange(string Field, object? Old, object? New);

/// <summary>An object on one side only, with what a person needs to recognise it.</summary>
/// <remarks>Size: shm bytes, sem nsems, msg queued bytes.</remarks>
public sealed record DiffObject(string Kind, int Id, string Key, uint Owner, ulong Size);

public sealed record ObjectChange(DiffObject Object, IReadOnlyList<FieldChange> Changes);

public sealed record SnapshotDiffResult
{
    public required long FromId { get; init; }
    public required Snapshot From { get; init; }
    public required long ToId { get; init; }
    public required Snapshot To { get; init; }
    /// <summary>Same host, boot and IPC namespace: otherwise ids mean nothing across the two and every object is added or removed.</summary>
    public required bool SameContext { get; init; }
    public required IReadOnlyList<DiffObject> Added { get; init; }
    public required IReadOnlyList<DiffObject> Removed { get; init; }
    public required IReadOnlyList<ObjectChange> Changed { get; init; }
    public required IReadOnlyList<FieldChange> Limits { get; init; }
}

/// <summary>
/// `ipcaudit diff A B`: objects added, removed and changed between two snapshots, per field — like
/// osquery's differential results. An object is the same one when its identity matches as the
/// collector stores it: kind and id, plus creator pid and size for shm and nsems for sem (ids are reused).
/// </summary>
public static class SnapshotDiff
{
    public static SnapshotDiffResult Compare(long fromId, Snapshot from, long toId, Snapshot to)
    {
        var same = from.Host.Host == to.Host.Host && from.Host.BootId == to.Host.BootId && from.Host.IpcNamespace == to.Host.IpcNamespace;
        var before = Fields(from).ToDictionary(f => same ? f.Identity : f.Identity + "@from");
        var after = Fields(to).ToList();
        var added = new List<DiffObject>();
        var changed = new List<ObjectChange>();
        foreach (var b in after)
        {
            if (!before.Remove(b.Identity, out var a)) { added.Add(b.Object); continue; }
            var changes = new List<FieldChange>();
            for (var i = 0; i < a.Values.Count; i++)
                if (!Equals(a.Values[i].Value, b.Values[i].Value)) changes.Add(new FieldChange(a.Values[i].Name, a.Values[i].Value, b.Values[i].Value));
            // Semaphore arrays compare per semaphore; a different count cannot happen under one identity.
            if (changes.Count > 0) changed.Add(new ObjectChange(b.Object, changes));
        }
        var limits = LimitFields(from.Limits).Zip(LimitFields(to.Limits))
            .Where(p => !Equals(p.First.Value, p.Second.Value))
            .Select(p => new FieldChange(p.First.Name, p.First.Value, p.Second.Value)).ToList();
        return new SnapshotDiffResult
        {
            FromId = fromId, From = from, ToId = toId, To = to, SameContext = same,
            Added = Order(added), Removed = Order(before.Values.Select(v => v.Object)),
            Changed = changed.OrderBy(c => KindOrder(c.Object.Kind)).ThenBy(c => c.Object.Id).ToList(),
            Limits = limits,
        };
    }

    private static List<DiffObject> Order(IEnumerable<DiffObject> objects) => objects.OrderBy(o => KindOrder(o.Kind)).ThenBy(o => o.Id).ToList();

    private static int KindOrder(string kind) => kind switch { IpcKind.Shm => 0, IpcKind.Sem => 1, _ => 2 };

    private sealed record Fielded(string Identity, DiffObject Object, List<(string Name, object? Value)> Values);

    private static IEnumerable<Fielded> Fields(Snapshot s)
    {
        foreach (var o in s.Shm)
            yield return new Fielded($"shm/{o.Id}/{o.Cpid}/{o.Bytes}", new DiffObject(IpcKind.Shm, o.Id, IpcMode.FormatKey(o.Key), o.Uid, o.Bytes),
            [
                ("key", IpcMode.FormatKey(o.Key)), ("perms", IpcMode.Perms(o.Mode)), ("status", string.Join(",", IpcMode.ShmStatus(o.Mode))),
                ("uid", o.Uid), ("gid", o.Gid), ("nattch", o.Nattch), ("cpid", o.Cpid), ("lpid", o.Lpid),
                ("atime", o.Atime), ("dtime", o.Dtime), ("ctime", o.Ctime), ("rss_bytes", o.RssBytes), ("swap_bytes", o.SwapBytes),
                ("attached_pids", o.AttachedPids is { } p ? string.Join(",", p) : null),
            ]);
        foreach (var o in s.Sem)
        {
            List<(string, object?)> values =
            [
                ("key", IpcMode.FormatKey(o.Key)), ("perms", IpcMode.Perms(o.Mode)), ("uid", o.Uid), ("gid", o.Gid),
                ("otime", o.Otime), ("ctime", o.Ctime), ("vanished", o.Vanished), ("semaphores_known", o.Semaphores is not null),
            ];
            for (var n = 0; n < o.Nsems; n++)
            {
                Collector.Model.Semaphore? v = o.Semaphores is { } sems && n < sems.Count ? sems[n] : null;
                var at = n.ToString(CultureInfo.InvariantCulture);
                values.Add(($"sem[{at}].value", v?.Value));
                values.Add(($"sem[{at}].ncount", v?.Ncount));
                values.Add(($"sem[{at}].zcount", v?.Zcount));
                values.Add(($"sem[{at}].pid", v?.Pid));
            }
            yield return new Fielded($"sem/{o.Id}/{o.Nsems}", new DiffObject(IpcKind.Sem, o.Id, IpcMode.FormatKey(o.Key), o.Uid, (ulong)o.Nsems), values);
        }
        foreach (var o in s.Msg)
            yield return new Fielded($"msg/{o.Id}", new DiffObject(IpcKind.Msg, o.Id, IpcMode.FormatKey(o.Key), o.Uid, o.Cbytes),
            [
                ("key", IpcMode.FormatKey(o.Key)), ("perms", IpcMode.Perms(o.Mode)), ("uid", o.Uid), ("gid", o.Gid),
                ("cbytes", o.Cbytes), ("qnum", o.Qnum), ("qbytes", o.Qbytes), ("lspid", o.Lspid), ("lrpid", o.Lrpid),
                ("stime", o.Stime), ("rtime", o.Rtime), ("ctime", o.Ctime), ("vanished", o.Vanished),
            ]);
    }

    private static List<(string Name, object? Value)> LimitFields(IpcLimits l) =>
    [
        ("shmmax", l.Shmmax), ("shmall", l.Shmall), ("shmmni", l.Shmmni), ("shm_rmid_forced", l.ShmRmidForced),
        ("semmsl", l.Semmsl), ("semmns", l.Semmns), ("semopm", l.Semopm), ("semmni", l.Semmni),
        ("msgmax", l.Msgmax), ("msgmnb", l.Msgmnb), ("msgmni", l.Msgmni),
    ];
}
