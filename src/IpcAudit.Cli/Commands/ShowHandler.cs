using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Collector.Storage;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit show [SNAPSHOT]`: a stored snapshot for a person (latest when omitted).</summary>
public sealed class ShowHandler(TextWriter stdout)
{
    public int Run(string db, string? snapshot, bool json)
    {
        using var reader = SnapshotReader.Open(db);
        var id = snapshot is null ? reader.Latest() : reader.Resolve(snapshot);
        if (id is not { } found)
            throw new IpcAuditException(snapshot is null ? $"{reader.Path}: no snapshots yet" : $"{reader.Path}: no snapshot matches '{snapshot}'", ExitCodes.BadInput);
        var s = reader.Load(found);
        if (json) SnapshotJson.Write(stdout, s);
        else SnapshotText.Write(stdout, s, found);
        return 0;
    }
}
