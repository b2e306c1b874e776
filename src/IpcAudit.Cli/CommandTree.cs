using System.CommandLine;
using IpcAudit.Cli.Commands;
using IpcAudit.Collector;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Cli;

/// <summary>The command tree. Each action is one call into a plain handler; handlers hold the logic.</summary>
public static class CommandTree
{
    private static readonly Option<string?> Db = new("--db")
    {
        Description = "Database file (default: $IPCAUDIT_DB, /var/lib/ipcaudit/ipcaudit.db for root, else $XDG_STATE_HOME/ipcaudit/ipcaudit.db)",
    };
    private static readonly Option<bool> Json = new("--json") { Description = "Also write the snapshot to stdout as typed JSON" };
    private static readonly Option<string> ProcRootOption = new("--proc-root")
    {
        Description = "Collect from a copy of /proc; live-only values (semaphore values, qbytes, usage) are then marked unavailable",
        DefaultValueFactory = _ => "/proc",
    };
    private static readonly Option<string?> At = new("--at") { Description = "Stamp the snapshot with this ISO-8601 time (backfills, imports, tests)" };
    private static readonly Option<string?> HostOption = new("--host") { Description = "Host name to record (default: the kernel's hostname)" };
    private static readonly Option<string?> HostFilter = new("--host") { Description = "Only this host's snapshots" };
    private static readonly Argument<string?> SnapshotArg = new("snapshot")
    {
        Description = "Snapshot id or ISO-8601 time (latest at or before it); latest when omitted",
        Arity = ArgumentArity.ZeroOrOne,
    };
    private static readonly Argument<string[]> Sources = new("sources") { Description = "Databases to merge in", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string> OlderThan = new("--older-than") { Description = "Delete snapshots older than this (e.g. 90d)", Required = true };

    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("IpcAudit: System V IPC history — snapshots of shared memory, semaphores and message queues, and reports over them.");

        var collect = new Command("collect", "Take a snapshot of this host's System V IPC objects, limits and usage into the database.\nExample: ipcaudit collect --db /var/lib/ipcaudit/ipcaudit.db")
            { Db, Json, ProcRootOption, At, HostOption };
        collect.SetAction(r => Guard(stderr, () => new CollectHandler(stdout, stderr).Run(
            db: DatabaseLocation.Resolve(r.GetValue(Db)), json: r.GetValue(Json), procRoot: r.GetValue(ProcRootOption)!,
            at: r.GetValue(At) is { } at ? TimeArguments.ParseInstant(at, "--at") : null, host: r.GetValue(HostOption))));

        var snapshots = new Command("snapshots", "List stored snapshots, one line each.\nExample: ipcaudit snapshots --host db1") { Db, HostFilter };
        snapshots.SetAction(r => Guard(stderr, () => new SnapshotsHandler(stdout).Run(
            db: DatabaseLocation.Resolve(r.GetValue(Db)), host: r.GetValue(HostFilter))));

        var show = new Command("show", "Show a stored snapshot like `ipcs -a`, with pids, attachers and semaphore values.\nExample: ipcaudit show 42")
            { SnapshotArg, Db, Json };
        show.SetAction(r => Guard(stderr, () => new ShowHandler(stdout).Run(
            db: DatabaseLocation.Resolve(r.GetValue(Db)), snapshot: r.GetValue(SnapshotArg), json: r.GetValue(Json))));

        var merge = new Command("merge", "Copy other hosts' snapshots into one fleet database; merging again adds nothing twice.\nExample: ipcaudit merge --db fleet.db web1.db web2.db")
            { Sources, Db };
        merge.SetAction(r => Guard(stderr, () => new MergeHandler(stdout).Run(
            db: DatabaseLocation.Resolve(r.GetValue(Db)), sources: r.GetValue(Sources)!)));

        var prune = new Command("prune", "Delete snapshots older than a duration, then reclaim the space.\nExample: ipcaudit prune --older-than 90d")
            { OlderThan, Db };
        prune.SetAction(r => Guard(stderr, () => new PruneHandler(stdout).Run(
            db: DatabaseLocation.Resolve(r.GetValue(Db)), olderThan: TimeArguments.ParseDuration(r.GetValue(OlderThan)!, "--older-than"))));

        root.Subcommands.Add(collect);
        root.Subcommands.Add(snapshots);
        root.Subcommands.Add(show);
        root.Subcommands.Add(merge);
        root.Subcommands.Add(prune);
        return root;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Build(stdout, stderr).Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });

    /// <summary>Expected failures become one line on stderr and their exit code; never a stack trace.</summary>
    private static int Guard(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (IpcAuditException e)
        {
            stderr.WriteLine($"ipcaudit: {e.Message}");
            return e.ExitCode;
        }
        catch (SqliteException e)
        {
            stderr.WriteLine($"ipcaudit: database error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"ipcaudit: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
