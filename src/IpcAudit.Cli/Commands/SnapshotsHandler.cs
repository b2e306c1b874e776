using IpcAudit.Collector.Output;
using IpcAudit.Store;

namespace IpcAudit.Cli.Commands;

/// <summary>
/// `ipcaudit snapshots`: one line per stored snapshot, times in the local zone. The uid beside the
/// local id is the same in every database the snapshot is merged into (ids are renumbered); `show`
/// and `diff` accept either.
/// </summary>
public sealed class SnapshotsHandler(TextWriter stdout, LocalTime times, StderrLog log)
{
    public int Run(string db, string? host, string? ipcNamespace = null)
    {
        using var reader = SnapshotReader.Open(db);
        log.Verbose($"database {reader.Path}");
        var hostName = SnapshotChoice.Host(reader, host);
        SnapshotChoice.CheckNamespace(reader, ipcNamespace);
        var list = reader.List(hostName).Where(s => s.InNamespace(ipcNamespace)).ToList();
        // The namespace column only where there is more than one to tell apart (a host with containers).
        var namespaces = list.Select(s => s.IpcNamespace).Distinct().Count() > 1;
        stdout.WriteLine($"{"id",6}  {"uid",-8}  {$"taken ({times.ZoneName})",-24}  {"host",-24}  {"shm",5}  {"sem",5}  {"msg",5}  boot{(namespaces ? "  namespace" : "")}");
        foreach (var s in list)
            stdout.WriteLine($"{s.SnapshotId,6}  {SnapshotChoice.ShortUid(s.SnapshotUid),-8}  {times.Format(s.TakenAt),-24}  {TerminalText.Clean(s.Host, 24),-24}  {Count(s.ShmCount),5}  {Count(s.SemCount),5}  {Count(s.MsgCount),5}  {s.BootId}{(namespaces ? $"  {TerminalText.Clean(s.NamespaceLabel ?? "ipc:" + s.IpcNamespace)} ({s.IpcNamespace})" : "")}");
        return 0;
    }

    /// <summary>"?" where the snapshot's step for that kind failed: the count is unknown, not 0.</summary>
    private static string Count(int? count) => count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
}
