using System.Globalization;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Output;

/// <summary>
/// The per-namespace families of `collect --textfile` when one collect stored several IPC namespaces
/// (containers), plus the host's totals over all of them. The unlabelled families stay the collector's
/// own namespace's, as before. A `namespace` label value is the namespace's label, cut to
/// <see cref="MaxLabelChars"/> characters, with its inode added when two namespaces share a label; past
/// <see cref="MaxNamespaces"/> namespaces the rest are summed into namespace="other", so a host with
/// thousands of short-lived sandboxes cannot blow up the series count.
/// </summary>
public static class NamespaceMetrics
{
    public const int MaxLabelChars = 64;
    public const int MaxNamespaces = 200;
    public const string Other = "other";

    public static void Write(TextWriter w, IReadOnlyList<Snapshot> snapshots)
    {
        if (snapshots.Count < 2) return;
        var names = LabelValues(snapshots);
        var families = new PrometheusFamilies(w);
        families.Gauge("ipcaudit_namespaces", "IPC namespaces collected by the last collection (containers and the host's own).",
            [new(null, snapshots.Count)]);

        var rows = snapshots.Select((s, i) => (Name: names[i], Snapshot: s)).ToList();
        IEnumerable<PrometheusFamilies.Sample> PerNamespace(string kind, Func<Snapshot, double> value) =>
            rows.Where(r => r.Snapshot.StepSucceeded(kind)).GroupBy(r => r.Name)
                .Select(g => new PrometheusFamilies.Sample(PrometheusFamilies.Label("namespace", g.Key), g.Sum(r => value(r.Snapshot))));
        IEnumerable<PrometheusFamilies.Sample> Total(string kind, Func<Snapshot, double> value) =>
            // A total is known only when every namespace's step succeeded: a partial sum would pass for a drop.
            snapshots.All(s => s.StepSucceeded(kind)) ? [new(null, snapshots.Sum(value))] : [];

        static double ShmBytes(Snapshot s) => s.Shm.Aggregate(0d, (t, m) => t + m.Bytes);
        static double MsgBytes(Snapshot s) => s.Msg.Aggregate(0d, (t, q) => t + q.Cbytes);

        families.Gauge("ipcaudit_namespace_shm_segments", "System V shared memory segments per IPC namespace.", PerNamespace("shm", s => s.Shm.Count));
        families.Gauge("ipcaudit_namespace_shm_bytes", "Size of the shared memory segments per IPC namespace, in bytes.", PerNamespace("shm", ShmBytes));
        families.Gauge("ipcaudit_namespace_sem_arrays", "System V semaphore arrays per IPC namespace.", PerNamespace("sem", s => s.Sem.Count));
        families.Gauge("ipcaudit_namespace_msg_queues", "System V message queues per IPC namespace.", PerNamespace("msg", s => s.Msg.Count));
        families.Gauge("ipcaudit_namespace_msg_bytes", "Bytes waiting in the message queues per IPC namespace.", PerNamespace("msg", MsgBytes));
        // Limits are each namespace's own; "other" has no single limit, so it gets none.
        families.Gauge("ipcaudit_namespace_limit", "Each IPC namespace's own System V IPC limit, named as lsipc -g names it (as ipcaudit_limit).",
            rows.Where(r => r.Name != Other).SelectMany(r => PrometheusTextfile.Limits(r.Snapshot.Limits).Where(l => l.Value is not null)
                .Select(l => new PrometheusFamilies.Sample(
                    PrometheusFamilies.Label("namespace", r.Name) + "," + PrometheusFamilies.Label("name", l.Name), (double)l.Value!.Value))));

        families.Gauge("ipcaudit_host_shm_segments", "System V shared memory segments in all IPC namespaces of the host.", Total("shm", s => s.Shm.Count));
        families.Gauge("ipcaudit_host_shm_bytes", "Size of the shared memory segments in all IPC namespaces of the host, in bytes.", Total("shm", ShmBytes));
        families.Gauge("ipcaudit_host_sem_arrays", "System V semaphore arrays in all IPC namespaces of the host.", Total("sem", s => s.Sem.Count));
        families.Gauge("ipcaudit_host_msg_queues", "System V message queues in all IPC namespaces of the host.", Total("msg", s => s.Msg.Count));
        families.Gauge("ipcaudit_host_msg_bytes", "Bytes waiting in the message queues of all IPC namespaces of the host.", Total("msg", MsgBytes));
    }

    /// <summary>One label value per snapshot, in order: distinct, bounded in length and in number.</summary>
    public static IReadOnlyList<string> LabelValues(IReadOnlyList<Snapshot> snapshots)
    {
        static string Cut(string s) => s.Length <= MaxLabelChars ? s : s[..MaxLabelChars];
        var labels = snapshots.Select(s => s.Namespace?.Text ?? $"ipc:{s.Host.IpcNamespace?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}").ToList();
        var shared = labels.GroupBy(l => Cut(l)).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var values = new List<string>(labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            var inode = snapshots[i].Host.IpcNamespace?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
            var cut = Cut(labels[i]);
            // The inode is kept whole: it is what tells two namespaces of one label apart.
            values.Add(i >= MaxNamespaces ? Other : shared.Contains(cut) ? $"{Cut(labels[i])[..Math.Min(cut.Length, MaxLabelChars - inode.Length - 5)]} ipc:{inode}" : cut);
        }
        return values;
    }
}
