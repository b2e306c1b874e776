using System.Diagnostics;
using IpcAudit.Collector;
using IpcAudit.Collector.Collection;
using IpcAudit.Collector.Model;
using IpcAudit.Collector.Output;
using IpcAudit.Store;
using IpcAudit.Report.Analysis;
using IpcAudit.Report.Model;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Cli.Commands;

/// <summary>
/// `ipcaudit collect`: one snapshot into the database. Silent on success, as cron likes it; with
/// --textfile, also the node_exporter metrics file, orphans included by the report's rules.
/// </summary>
public sealed class CollectHandler(TextWriter stdout, StderrLog log)
{
    /// <summary>How far back the orphan metrics read; older runs are traced back by the orphan finder itself.</summary>
    private static readonly TimeSpan OrphanWindow = TimeSpan.FromHours(1);

    /// <summary>The default of --namespaces when it is not given (the tests pin it to self so a shared machine's containers stay out).</summary>
    public const string NamespacesVariable = "IPCAUDIT_NAMESPACES";

    /// <summary>Test seam: a shell command run before each other IPC namespace is entered (IPCAUDIT_NAMESPACE holds its inode).</summary>
    public const string NamespaceTestHookVariable = "IPCAUDIT_NAMESPACE_TEST_HOOK";

    /// <param name="shipTo">The central server to ship to after storing (README: Fleet); null: no shipping.</param>
    public int Run(string db, bool json, string procRoot, DateTimeOffset? at, string? host, string? textfile = null, TimeSpan? orphanAge = null,
        bool allowFuture = false, string? namespaces = null, string? shipTo = null)
    {
        CollectInput.Check(procRoot, at, allowFuture, host, DateTimeOffset.UtcNow);
        var options = new CollectorOptions { ProcRoot = procRoot, At = at, HostOverride = host };
        var collector = SnapshotCollector.For(options);
        var selection = NamespaceSelection.Parse(namespaces);
        var namespaceCollector = new NamespaceCollector(options, selection,
            Environment.GetEnvironmentVariable(NamespaceTestHookVariable) is { Length: > 0 } hook ? inode => RunHook(hook, inode) : null);
        log.Verbose($"database {Path.GetFullPath(db)}");

        var clock = Stopwatch.StartNew();
        var collected = TimeSpan.Zero;
        using var store = SnapshotStore.OpenForWrite(db);
        var all = store.SaveAll(() =>
        {
            var waited = clock.Elapsed;
            var s = namespaceCollector.Collect();
            collected = clock.Elapsed - waited;
            return s;
        }, collector.ReadProcesses);
        var stored = new CollectionStep("store", clock.Elapsed - collected, true);

        foreach (var (id, snapshot) in all)
        {
            // Which namespace a line is about, when there is more than one to tell apart.
            var where = all.Count > 1 && snapshot.Namespace is { } ns ? $" ipc:{snapshot.Host.IpcNamespace} ({TerminalText.Clean(ns.Text)})" : "";
            foreach (var step in snapshot.Steps)
                log.Verbose($"step {step.Name}{where}: {StderrLog.Duration(step.Duration)}, {(step.Succeeded ? "ok" : "incomplete")}{(step.Succeeded && step.Note is not null ? $" ({step.Note})" : "")}; read {collector.SourceOf(step.Name)}");
            log.Verbose($"stored snapshot {id} of {snapshot.Host.Host}{where} ({snapshot.Shm.Count} shm, {snapshot.Sem.Count} sem, {snapshot.Msg.Count} msg)");
            foreach (var note in snapshot.Notes) log.Warning(note);
            foreach (var step in snapshot.Steps.Where(s => !s.Succeeded))
                log.Warning($"step {step.Name}{where} incomplete: {step.Note}");
        }
        log.Verbose($"stored {all.Count} snapshots in {StderrLog.Duration(stored.Duration)} (open, lock, write, commit)");
        var (_, first) = all[0];

        if (json) SnapshotJson.WriteAll(stdout, [.. all.Select(a => a.Snapshot)]);
        var (shipped, ship) = shipTo is null ? (ExitCodes.Success, null) : Ship(db, shipTo);
        if (textfile is not null) WriteTextfile(textfile, db, first, stored, orphanAge ?? TimeSpan.FromHours(24), [.. all.Select(a => a.Snapshot)], ship);
        return shipped;
    }

    private void RunHook(string command, ulong inode)
    {
        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command }, UseShellExecute = false };
        start.Environment["IPCAUDIT_NAMESPACE"] = inode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new IpcAuditException($"{NamespaceTestHookVariable}: cannot start /bin/sh", ExitCodes.Failure);
        process.WaitForExit();
        log.Verbose($"{NamespaceTestHookVariable} for ipc:{inode}: exit {process.ExitCode}");
    }

    /// <summary>The snapshot is stored whatever happens here: a server that is down leaves it in the backlog (exit 1, one line).</summary>
    private (int, ShipStatus) Ship(string db, string server)
    {
        try
        {
            var r = Shipper.Ship(db, server);
            log.Verbose($"shipped {r.SnapshotsShipped} snapshots to {ServerAddress.Describe(server)}; backlog {r.Backlog}");
            return (ExitCodes.Success, new ShipStatus(r.Backlog, ShipLedger.Read(db)?.LastSuccess));
        }
        catch (IpcAuditException e)
        {
            log.Error(e.Message);
            using var reader = SnapshotReader.Open(db);
            var ledger = ShipLedger.Read(db);
            return (e.ExitCode, new ShipStatus(ShipLedger.Backlog((SqliteConnection)reader.Connection, ledger), ledger?.LastSuccess));
        }
    }

    private void WriteTextfile(string directory, string db, Snapshot snapshot, CollectionStep stored, TimeSpan orphanAge, IReadOnlyList<Snapshot> all,
        ShipStatus? ship)
    {
        List<CollectionStep> steps = [.. snapshot.Steps, stored];
        IReadOnlyList<OrphanTotal>? totals = null;
        var clock = Stopwatch.StartNew();
        try
        {
            totals = OrphanTotals(db, snapshot, orphanAge);
            steps.Add(new CollectionStep("orphans", clock.Elapsed, true));
        }
        catch (Exception e) when (e is IpcAuditException or IOException or SqliteException)
        {
            // Like any step: the rest of the metrics are still written, the orphan families left out.
            steps.Add(new CollectionStep("orphans", clock.Elapsed, false, e.Message));
            log.Warning($"step orphans incomplete: {e.Message}");
        }
        log.Verbose($"step orphans: {StderrLog.Duration(clock.Elapsed)}; read the stored history of {snapshot.Host.Host} in {Path.GetFullPath(db)}");
        var path = PrometheusTextfile.WriteAtomically(directory, w =>
        {
            PrometheusTextfile.Write(w, snapshot, steps, totals, ship);
            NamespaceMetrics.Write(w, all);
        });
        log.Verbose($"wrote {Path.GetFullPath(path)}");
    }

    /// <summary>Count and bytes per kind, every kind present (0 when none), as of the snapshot just stored.</summary>
    private static List<OrphanTotal> OrphanTotals(string db, Snapshot snapshot, TimeSpan orphanAge)
    {
        var request = new ReportRequest(snapshot.TakenAt - OrphanWindow, snapshot.TakenAt, [snapshot.Host.Host], orphanAge);
        var found = ReportBuilder.Orphans(db, request).ToLookup(o => o.Kind);
        return [.. new[] { IpcKind.Shm, IpcKind.Sem, IpcKind.Msg, PosixKinds.Shm, PosixKinds.Sem, PosixKinds.Mq }.Select(kind =>
            new OrphanTotal(kind, found[kind].Count(), found[kind].Aggregate(0UL, (total, o) => total + o.Bytes)))];
    }
}
