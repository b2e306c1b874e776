using IpcAudit.Collector.Storage;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit merge`: fleet databases from per-host ones.</summary>
public sealed class MergeHandler(TextWriter stdout)
{
    public int Run(string db, string[] sources)
    {
        using var store = SnapshotStore.OpenForWrite(db);
        foreach (var source in sources)
        {
            var r = FleetMerger.Merge(store, source);
            stdout.WriteLine($"{source}: {r.SnapshotsAdded} snapshots added, {r.SnapshotsSkipped} already present");
        }
        return 0;
    }
}
