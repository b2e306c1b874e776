using IpcAudit.Collector.Output;
using IpcAudit.Store;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit show [SNAPSHOT] [--host NAME]`: a stored snapshot for a person (latest when omitted); --json stays UTC.</summary>
public sealed class ShowHandler(TextWriter stdout, LocalTime times, StderrLog log)
{
    /// <param name="posixObject">`--object KIND:NAME`: that POSIX object alone, with its history.</param>
    public int Run(string db, string? snapshot, bool json, string? host = null, string? ipcNamespace = null, string? posixObject = null)
    {
        var wanted = posixObject is null ? default : PosixObjectName.Parse(posixObject);
        using var reader = SnapshotReader.Open(db);
        log.Verbose($"database {reader.Path}");
        var hostName = SnapshotChoice.Host(reader, host);
        SnapshotChoice.CheckNamespace(reader, ipcNamespace);
        var found = SnapshotChoice.Resolve(reader, snapshot, hostName, times.Zone, ipcNamespace);
        if (ipcNamespace is null && NamespaceNames.List(reader.Connection) is { Count: > 1 } namespaces)
            log.Warning($"showing snapshot {found.SnapshotId} of IPC namespace {found.NamespaceLabel ?? "ipc:" + found.IpcNamespace}; this database holds {namespaces.Count} namespaces ({string.Join(", ", namespaces)}): choose one with --namespace");
        if (hostName is null && reader.Hosts() is { Count: > 1 } hosts)
            log.Warning($"showing snapshot {found.SnapshotId} of host {found.Host}; this database holds {hosts.Count} hosts ({string.Join(", ", hosts)}): choose one with --host");
        log.Verbose($"snapshot {found.SnapshotId} (uid {found.SnapshotUid}) of host {found.Host}, taken {times.Format(found.TakenAt)}");
        var s = reader.Load(found.SnapshotId);
        if (wanted is ({ } kind, { } name))
        {
            var history = reader.PosixObject(found.SnapshotId, kind, name) ?? throw PosixObjectName.NotFound(s, found.SnapshotId, kind, name);
            if (json) PosixObjectShow.Json(stdout, s, found.SnapshotId, history);
            else PosixObjectShow.Text(stdout, s, found.SnapshotId, history, times);
            return 0;
        }
        if (json) SnapshotJson.Write(stdout, s);
        else SnapshotText.Write(stdout, s, found.SnapshotId, times);
        return 0;
    }
}
