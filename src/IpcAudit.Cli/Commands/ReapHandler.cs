using System.Diagnostics;
using IpcAudit.Collector;
using IpcAudit.Collector.Collection;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;
using IpcAudit.Collector.Output;
using IpcAudit.Collector.Proc;
using IpcAudit.Store;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using IpcAudit.Report.Output;
using IpcAudit.Report.Reap;

namespace IpcAudit.Cli.Commands;

/// <summary>
/// `ipcaudit reap`: a fresh snapshot, the report's verdicts on the history including it, and removal of
/// the orphans among them (only with --yes), each read again just before IPC_RMID. `reap --log` lists
/// what earlier runs removed and skipped.
/// </summary>
public sealed class ReapHandler(TextWriter stdout, LocalTime times, StderrLog log)
{
    public static readonly IReadOnlyList<string> Kinds = [IpcKind.Shm, IpcKind.Sem, IpcKind.Msg];

    /// <summary>
    /// A test seam: a shell command run between the decision and the re-read of each object, with
    /// IPCAUDIT_REAP_KIND and IPCAUDIT_REAP_ID set, so a test can attach or replace the object there.
    /// </summary>
    public const string TestHookVariable = "IPCAUDIT_REAP_TEST_HOOK";

    /// <summary>How far back the verdicts read; older history is traced back by the verdict finder itself, as for the metrics.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public int Run(string db, string orphanAge, IReadOnlyList<string> kinds, uint? uid, string? user, IReadOnlyList<int> ids,
        bool yes, bool json, DateTimeOffset? at)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new IpcAuditException("reap removes other users' IPC objects and re-reads them as root: run it as root (nothing was done)", ExitCodes.Failure);
        var age = TimeArguments.ParseDuration(orphanAge, "--orphan-age");
        var filter = new ReapFilter(CommaSeparated.Parse(kinds, Kinds, "--kind"), Owner(uid, user), ids.ToHashSet());

        log.Verbose($"database {Path.GetFullPath(db)}");
        var collector = SnapshotCollector.For(new CollectorOptions { At = at });
        long snapshotId;
        Snapshot snapshot;
        using (var store = SnapshotStore.OpenForWrite(db))
            (snapshotId, snapshot) = store.Save(collector.Collect, collector.ReadProcesses);
        foreach (var step in snapshot.Steps.Where(s => !s.Succeeded))
            log.Warning($"step {step.Name} incomplete: {step.Note}");

        using var connection = IpcAuditDatabase.OpenForWrite(db);
        var (snapshotUid, contextId) = ReapLog.SnapshotOf(connection, snapshotId);
        var request = new ReportRequest(snapshot.TakenAt - Window, snapshot.TakenAt, [snapshot.Host.Host], age);
        var (orphans, idle) = ReportBuilder.VerdictsOf(connection, request, contextId);
        log.Verbose($"snapshot {snapshotId}: {orphans.Count} orphan(s), {idle.Count} idle object(s) in this IPC namespace");

        var reaper = new Reaper(new LinuxIpcObjectControl(),
            (item, outcome) => ReapLog.Record(connection, Entry(snapshot, snapshotUid, item, outcome)),
            Environment.GetEnvironmentVariable(TestHookVariable) is { Length: > 0 } hook ? (kind, id) => RunHook(hook, kind, id) : null);
        var result = reaper.Run(snapshot, orphans, idle, filter, remove: yes);

        if (json) ReapJson.Write(stdout, result);
        else ReapText.Write(stdout, result);
        stdout.Flush();
        return result.Failed.Count > 0 ? ExitCodes.Failure
            : result.Skipped.Count > 0 ? ExitCodes.FindingsPresent
            : ExitCodes.Success;
    }

    public int Log(string db, string since, bool json, DateTimeOffset? now = null)
    {
        var from = TimeArguments.ParseInstantOrAgo(since, "--since", now ?? DateTimeOffset.UtcNow);
        using var connection = IpcAuditDatabase.OpenForRead(db);
        var entries = ReapLog.Since(connection, from);
        if (json) ReapJson.WriteLog(stdout, entries);
        else ReapText.WriteLog(stdout, entries, times);
        return ExitCodes.Success;
    }

    private static ReapLogEntry Entry(Snapshot snapshot, string snapshotUid, ReapItem item, string outcome)
    {
        var f = item.Finding;
        var ctime = f.Kind switch
        {
            IpcKind.Shm => snapshot.Shm.FirstOrDefault(s => s.Id == f.Id)?.Ctime,
            IpcKind.Sem => snapshot.Sem.FirstOrDefault(s => s.Id == f.Id)?.Ctime,
            _ => snapshot.Msg.FirstOrDefault(s => s.Id == f.Id)?.Ctime,
        };
        return new ReapLogEntry
        {
            At = DateTimeOffset.UtcNow, ByUid = EffectiveUser.Uid, SnapshotUid = snapshotUid, Host = f.Host, Kind = f.Kind, Id = f.Id,
            Key = Convert.ToUInt32(f.Key[2..], 16), Ctime = ctime?.ToUnixTimeSeconds(), Owner = f.Owner, Bytes = f.Bytes,
            AgeSeconds = f.AgeSeconds, Evidence = f.Evidence, Outcome = outcome, Reason = item.Reason,
        };
    }

    private static uint? Owner(uint? uid, string? user)
    {
        if (uid is not null && user is not null)
            throw new IpcAuditException("--uid and --user name the same thing: give one", ExitCodes.BadInput);
        if (user is null) return uid;
        return PasswdFile.UidOf("/etc/passwd", user)
               ?? throw new IpcAuditException($"--user: no user '{TerminalText.Clean(user)}' in /etc/passwd", ExitCodes.BadInput);
    }

    private void RunHook(string command, string kind, int id)
    {
        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command }, UseShellExecute = false };
        start.Environment["IPCAUDIT_REAP_KIND"] = kind;
        start.Environment["IPCAUDIT_REAP_ID"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new IpcAuditException($"{TestHookVariable}: cannot start /bin/sh", ExitCodes.Failure);
        process.WaitForExit();
        log.Verbose($"{TestHookVariable} for {kind} {id}: exit {process.ExitCode}");
    }
}
