using IpcAudit.Collector.Output;
using IpcAudit.Collector.Storage;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit snapshots`: one line per stored snapshot.</summary>
public sealed class SnapshotsHandler(TextWriter stdout)
{
    public int Run(string db, string? host)
    {
        using var reader = SnapshotReader.Open(db);
        stdout.WriteLine($"{"id",6}  {"taken_at (UTC)",-24}  {"host",-24}  {"shm",5}  {"sem",5}  {"msg",5}  boot");
        foreach (var s in reader.List(host))
            stdout.WriteLine($"{s.SnapshotId,6}  {SnapshotJson.IsoTime(s.TakenAt),-24}  {TerminalText.Clean(s.Host, 24),-24}  {s.ShmCount,5}  {s.SemCount,5}  {s.MsgCount,5}  {s.BootId}");
        return 0;
    }
}
