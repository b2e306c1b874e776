using System.Diagnostics;
using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Store;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Output;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit diff A B`: what changed between two stored snapshots, per object and field (times in the local zone; --json in UTC).</summary>
public sealed class DiffHandler(TextWriter stdout, LocalTime? times = null, StderrLog? log = null)
{
    public int Run(string db, string from, string to, bool json, string? host = null, string? ipcNamespace = null)
    {
        var clock = Stopwatch.StartNew();
        var zone = times ?? LocalTime.System;
        using var reader = SnapshotReader.Open(db);
        log?.Verbose($"database {reader.Path}");
        var hostName = SnapshotChoice.Host(reader, host);
        SnapshotChoice.CheckNamespace(reader, ipcNamespace);
        var a = SnapshotChoice.Resolve(reader, from, hostName, zone.Zone, ipcNamespace);
        var b = SnapshotChoice.Resolve(reader, to, hostName, zone.Zone, ipcNamespace);
        if (a.IpcNamespace != b.IpcNamespace)
            log?.Warning($"comparing IPC namespace {a.NamespaceLabel ?? "ipc:" + a.IpcNamespace} with {b.NamespaceLabel ?? "ipc:" + b.IpcNamespace} (ids mean nothing across namespaces): choose one with --namespace");
        if (hostName is null && a.Host != b.Host)
            log?.Warning($"comparing host {a.Host} with host {b.Host}: choose one host with --host");
        foreach (var (name, s) in new[] { ("from", a), ("to", b) })
            log?.Verbose($"{name}: snapshot {s.SnapshotId} (uid {s.SnapshotUid}) of host {s.Host}, taken {zone.Format(s.TakenAt)}");
        var diff = SnapshotDiff.Compare(a.SnapshotId, reader.Load(a.SnapshotId), b.SnapshotId, reader.Load(b.SnapshotId));
        if (json) SnapshotDiffJson.Write(stdout, diff);
        else SnapshotDiffText.Write(stdout, diff, times);
        log?.Verbose($"{diff.Added.Count} added, {diff.Removed.Count} removed, {diff.Changed.Count} changed; read and compared in {StderrLog.Duration(clock.Elapsed)}");
        return ExitCodes.Success;
    }
}
