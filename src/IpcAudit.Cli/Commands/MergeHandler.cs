using System.Diagnostics;
using IpcAudit.Collector.Output;
using IpcAudit.Collector.Storage;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit merge`: fleet databases from per-host ones; progress on a terminal when there are many.</summary>
public sealed class MergeHandler(TextWriter stdout, StderrLog log, Progress progress)
{
    public int Run(string db, string[] sources)
    {
        using var store = SnapshotStore.OpenForWrite(db);
        log.Verbose($"database {store.Path}");
        for (var i = 0; i < sources.Length; i++)
        {
            var source = sources[i];
            progress.Report("merging", i, sources.Length, source);
            var clock = Stopwatch.StartNew();
            var r = FleetMerger.Merge(store, source);
            log.Verbose($"merged {Path.GetFullPath(source)} in {StderrLog.Duration(clock.Elapsed)}");
            progress.Clear();
            stdout.WriteLine($"{source}: {r.SnapshotsAdded} snapshots added, {r.SnapshotsSkipped} already present");
        }
        return 0;
    }
}
