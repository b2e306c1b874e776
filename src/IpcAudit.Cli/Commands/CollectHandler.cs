using IpcAudit.Collector.Collection;
using IpcAudit.Collector.Output;
using IpcAudit.Collector.Storage;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit collect`: one snapshot into the database. Silent on success, as cron likes it.</summary>
public sealed class CollectHandler(TextWriter stdout, TextWriter stderr)
{
    public int Run(string db, bool json, string procRoot, DateTimeOffset? at, string? host)
    {
        var options = new CollectorOptions { ProcRoot = procRoot, At = at, HostOverride = host };
        var collector = SnapshotCollector.For(options);
        using var store = SnapshotStore.OpenForWrite(db);
        var (_, snapshot) = store.Save(collector.Collect);

        foreach (var note in snapshot.Notes) stderr.WriteLine($"ipcaudit: warning: {note}");
        foreach (var step in snapshot.Steps.Where(s => !s.Succeeded))
            stderr.WriteLine($"ipcaudit: warning: step {step.Name} incomplete: {step.Note}");
        if (json) SnapshotJson.Write(stdout, snapshot);
        return 0;
    }
}
