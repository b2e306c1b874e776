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
    public int Run(string db, string? host)
    {
        using var reader = SnapshotReader.Open(db);
        log.Verbose($"database {reader.Path}");
        var hostName = SnapshotChoice.Host(reader, host);
        stdout.WriteLine($"{"id",6}  {"uid",-8}  {$"taken ({times.ZoneName})",-24}  {"host",-24}  {"shm",5}  {"sem",5}  {"msg",5}  boot");
        foreach (var s in reader.List(hostName))
            stdout.WriteLine($"{s.SnapshotId,6}  {SnapshotChoice.ShortUid(s.SnapshotUid),-8}  {times.Format(s.TakenAt),-24}  {TerminalText.Clean(s.Host, 24),-24}  {Count(s.ShmCount),5}  {Count(s.SemCount),5}  {Count(s.MsgCount),5}  {s.BootId}");
        return 0;
    }

    /// <summary>"?" where the snapshot's step for that kind failed: the count is unknown, not 0.</summary>
    private static string Count(int? count) => count?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";
}
