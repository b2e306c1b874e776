using IpcAudit.Collector.Output;
using IpcAudit.Collector.Storage;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit prune --older-than 90d`: retention, then space reclaimed.</summary>
public sealed class PruneHandler(TextWriter stdout, LocalTime times, StderrLog log)
{
    public int Run(string db, TimeSpan olderThan)
    {
        var cutoff = DateTimeOffset.UtcNow - olderThan;
        log.Verbose($"database {Path.GetFullPath(db)}: deleting snapshots taken before {SnapshotJson.IsoTime(cutoff)}");
        var r = Retention.Prune(db, cutoff);
        stdout.WriteLine($"{r.SnapshotsDeleted} snapshots before {times.Format(cutoff)} deleted ({r.StatesDeleted} object states, {r.ObjectsDeleted} objects); {r.BytesBefore:N0} -> {r.BytesAfter:N0} bytes");
        return 0;
    }
}
