using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Collector.Storage;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit show [SNAPSHOT]`: a stored snapshot for a person (latest when omitted); --json stays UTC.</summary>
public sealed class ShowHandler(TextWriter stdout, LocalTime times, StderrLog log)
{
    public int Run(string db, string? snapshot, bool json)
    {
        using var reader = SnapshotReader.Open(db);
        log.Verbose($"database {reader.Path}");
        var id = snapshot is null ? reader.Latest() : reader.Resolve(snapshot);
        if (id is not { } found)
            throw new IpcAuditException(snapshot is null ? $"{reader.Path}: no snapshots yet" : $"{reader.Path}: no snapshot matches '{snapshot}'", ExitCodes.BadInput);
        log.Verbose($"snapshot {found}");
        var s = reader.Load(found);
        if (json) SnapshotJson.Write(stdout, s);
        else SnapshotText.Write(stdout, s, found, times);
        return 0;
    }
}
