using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Collector.Storage;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Output;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit diff A B`: what changed between two stored snapshots, per object and field (times in the local zone; --json in UTC).</summary>
public sealed class DiffHandler(TextWriter stdout, LocalTime? times = null)
{
    public int Run(string db, string from, string to, bool json, string? host = null)
    {
        using var reader = SnapshotReader.Open(db);
        var a = Resolve(reader, from, host);
        var b = Resolve(reader, to, host);
        var diff = SnapshotDiff.Compare(a, reader.Load(a), b, reader.Load(b));
        if (json) SnapshotDiffJson.Write(stdout, diff);
        else SnapshotDiffText.Write(stdout, diff, times);
        return ExitCodes.Success;
    }

    private static long Resolve(SnapshotReader reader, string idOrTime, string? host) =>
        reader.Resolve(idOrTime, host)
        ?? throw new IpcAuditException($"{reader.Path}: no snapshot matches '{idOrTime}'{(host is null ? "" : $" for host {host}")} (give a snapshot id from `ipcaudit snapshots`, or an ISO-8601 time at or after the first snapshot)", ExitCodes.BadInput);
}
