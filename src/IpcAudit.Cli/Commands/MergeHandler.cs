using System.Diagnostics;
using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Store;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit merge`: fleet databases from per-host ones; progress on a terminal when there are many.</summary>
public sealed class MergeHandler(TextWriter stdout, StderrLog log, Progress progress, Interruption? interruption = null)
{
    public int Run(string db, string[] sources)
    {
        // Every source is checked before the target is created or touched: a typo must not leave an empty fleet file.
        foreach (var source in sources)
            SnapshotReader.Open(source).Dispose();
        var cancel = interruption?.Token ?? default;
        var merged = new List<string>();
        var i = 0;
        try
        {
            using var store = SnapshotStore.OpenForWrite(db);
            log.Verbose($"database {store.Path}");
            for (; i < sources.Length; i++)
            {
                var source = sources[i];
                cancel.ThrowIfCancellationRequested();
                progress.Report("merging", i, sources.Length, source);
                var clock = Stopwatch.StartNew();
                var r = FleetMerger.Merge(store, source, cancel);
                log.Verbose($"merged {Path.GetFullPath(source)} in {StderrLog.Duration(clock.Elapsed)}");
                progress.Clear();
                stdout.WriteLine($"{source}: {r.SnapshotsAdded} snapshots added, {r.SnapshotsSkipped} already present");
                merged.Add(source);
            }
        }
        catch (Exception e) when (interruption is { Requested: true } && e is not OutOfMemoryException)
        {
            progress.Clear();
            var checkpointed = WalCheckpoint.Run(db);
            var rest = sources.Skip(i + 1).ToList();
            log.Error($"interrupted: {(merged.Count == 0 ? "nothing merged" : $"merged {string.Join(", ", merged)}")}; "
                      + $"{(i < sources.Length ? $"{sources[i]} not merged (rolled back)" : "")}"
                      + $"{(rest.Count > 0 ? $", {string.Join(", ", rest)} not started" : "")}"
                      + $"{(checkpointed ? "; write-ahead log checkpointed" : "")}");
            return interruption.ExitCode!.Value;
        }
        return ExitCodes.Success;
    }
}
