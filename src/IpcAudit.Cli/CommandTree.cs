using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using IpcAudit.Cli.Commands;
using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Cli;

/// <summary>The command tree. Each action is one call into a plain handler; handlers hold the logic.</summary>
public static class CommandTree
{
    private static readonly Option<string?> Db = new("--db")
    {
        Description = "Database file, or for report, show, snapshots and diff a postgresql:// server (default: $IPCAUDIT_DB, then for those $IPCAUDIT_SERVER, then /var/lib/ipcaudit/ipcaudit.db for root, else $XDG_STATE_HOME/ipcaudit/ipcaudit.db)",
    };
    private static readonly Option<string?> ShipTo = new("--to")
    {
        Description = "The central PostgreSQL server: a postgresql:// URI or connection string, no password (default: $IPCAUDIT_SERVER, else `server =` in /etc/ipcaudit/ipcaudit.conf)",
    };
    private static readonly Option<string?> CollectShipTo = new("--ship-to")
    {
        Description = "After storing, ship the backlog to this server (no value: $IPCAUDIT_SERVER or the configuration file)",
        Arity = ArgumentArity.ZeroOrOne,
    };
    private static readonly Option<bool> Json = new("--json") { Description = "Also write the snapshot to stdout as typed JSON" };
    private static readonly Option<string> ProcRootOption = new("--proc-root")
    {
        Description = "Collect from a copy of /proc; live-only values (semaphore values, qbytes, usage) are then marked unavailable",
        DefaultValueFactory = _ => "/proc",
    };
    private static readonly Option<string?> At = new("--at")
    {
        Description = "Stamp the snapshot with this ISO-8601 time (backfills, imports, tests; without a zone: local time); more than 5 minutes ahead of the clock needs --allow-future",
    };
    private static readonly Option<bool> AllowFuture = new("--allow-future")
    {
        Description = "Accept an --at in the future (a future snapshot blocks later collects of the host until then)",
    };
    private static readonly Option<string?> HostOption = new("--host") { Description = "Host name to record (default: the kernel's hostname)" };
    private static readonly Option<string?> HostFilter = new("--host") { Description = "Only this host's snapshots" };
    private static readonly Option<string?> ShowHost = new("--host") { Description = "This host's snapshots (a fleet database holds several; default: whichever is named or latest)" };
    private static readonly Option<string?> ShowObject = new("--object")
    {
        Description = "Only this POSIX object of the snapshot, with its holders, application and stored history: posix_shm:NAME, posix_sem:NAME or posix_mq:NAME (NAME as shm_open takes it, without the slash)",
        HelpName = "KIND:NAME",
    };
    private static readonly Argument<string?> SnapshotArg = new("snapshot")
    {
        Description = "Snapshot id or uid (from `ipcaudit snapshots`), or ISO-8601 time (latest at or before it; without a zone: local time); latest when omitted",
        Arity = ArgumentArity.ZeroOrOne,
    };
    private static readonly Argument<string[]> Sources = new("sources") { Description = "Databases to merge in", Arity = ArgumentArity.OneOrMore };
    private static readonly Option<string?> Textfile = new("--textfile")
    {
        Description = "Also write DIR/ipcaudit.prom for node_exporter's textfile collector (temp file + rename)",
        HelpName = "DIR",
    };
    private static readonly Option<string?> Namespaces = new("--namespaces")
    {
        Description = "IPC namespaces to collect: all (every one in use: containers), self (this collector's), or inodes (readlink /proc/PID/ns/ipc), comma-separated (default: $IPCAUDIT_NAMESPACES, else all as root, self otherwise)",
        HelpName = "all|self|INODE[,INODE...]",
    };
    private static readonly Option<string?> NamespaceFilter = new("--namespace")
    {
        Description = "Only this IPC namespace: its label (host, docker:3f2a1b9c0d1e, ...) or inode, as `ipcaudit snapshots` shows them",
        HelpName = "LABEL|INODE",
    };
    private static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "No warnings on stderr (errors still)", Recursive = true };
    private static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Explain on stderr what is read: database, each step's source and duration", Recursive = true,
    };
    private static readonly Option<string?> OlderThan = new("--older-than") { Description = "Delete snapshots older than this (e.g. 90d)" };
    private static readonly Option<bool> PruneForce = new("--force")
    {
        Description = "With --older-than: also delete snapshots the central server has not acknowledged (never shipped)",
    };
    private static readonly Option<string[]> PruneSnapshots = new("--snapshot")
    {
        Description = "Delete these snapshots (ids from `ipcaudit snapshots`; repeatable or comma-separated), keeping the history of the others as it was",
        HelpName = "ID", AllowMultipleArgumentsPerToken = true,
    };
    private static readonly Option<string> Since = new("--since")
    {
        Description = "Start of the window: " + TimeArguments.Accepted + " (default 7d)", DefaultValueFactory = _ => "7d",
    };
    private static readonly Option<string?> Until = new("--until") { Description = "End of the window: " + TimeArguments.Accepted + " (default now)" };
    private static readonly Option<string[]> Hosts = new("--host") { Description = "Only this host (repeatable; default all hosts in the database)" };
    private static readonly Option<string> OrphanAge = new("--orphan-age")
    {
        Description = "Report an orphan once it has been orphaned this long (default 24h)", DefaultValueFactory = _ => "24h",
    };
    private static readonly Option<string> Format = new("--format")
    {
        Description = "table (default, stdout), csv (one file per section into the --output folder), json or html (--output file or stdout)",
        DefaultValueFactory = _ => "table",
    };
    private static readonly Option<string?> Output = new("--output")
    {
        Description = "File (json, html, table, csv --section) or folder (csv) to write; its folder must exist; - is stdout",
    };
    private static readonly Option<string?> Section = new("--section")
    {
        Description = "With --format csv: just this table, to stdout or --output FILE: " + string.Join(", ", IpcAudit.Report.Output.ReportCsv.SectionNames),
    };
    private static readonly Option<string[]> FailOn = new("--fail-on")
    {
        Description = "Exit 10 when findings exist: orphans (any orphan), pressure (a pool limit at or above 90 % at the end; caps on one object, SHMMAX and SEMMSL, never); comma-separated",
    };
    private static readonly Argument<string> DiffFrom = new("from") { Description = "Snapshot id or uid, or ISO-8601 time (latest at or before it; without a zone: local time)" };
    private static readonly Argument<string> DiffTo = new("to") { Description = "Snapshot id or uid, or ISO-8601 time (latest at or before it; without a zone: local time)" };
    private static readonly Option<bool> DiffJson = new("--json") { Description = "Typed JSON instead of text" };
    private static readonly Option<string?> DiffHost = new("--host") { Description = "This host's snapshots (resolves times and latest among them)" };

    private static readonly Option<string[]> ReapKinds = new("--kind") { Description = "Only these kinds: shm, sem, msg (comma-separated; default all)" };
    private static readonly Option<uint?> ReapUid = new("--uid") { Description = "Only objects owned by this uid" };
    private static readonly Option<string?> ReapUser = new("--user") { Description = "Only objects owned by this user (from /etc/passwd)" };
    private static readonly Option<int[]> ReapIds = new("--id") { Description = "Only this id (repeatable)" };
    private static readonly Option<bool> ReapYes = new("--yes") { Description = "Remove; without it nothing is changed and reap prints what it would remove" };
    private static readonly Option<bool> ReapJson = new("--json") { Description = "One JSON document: removed, skipped, kept (and would_remove on a dry run)" };
    private static readonly Option<bool> ReapLogOption = new("--log") { Description = "List what earlier reap runs removed and skipped, and take no snapshot" };
    private static readonly Option<string> ReapLogSince = new("--since")
    {
        Description = "With --log: from this long ago or this time: " + TimeArguments.Accepted + " (default 7d)", DefaultValueFactory = _ => "7d",
    };

    public static RootCommand Build(TextWriter stdout, TextWriter stderr) => Build(new CliConsole(stdout, stderr));

    public static RootCommand Build(CliConsole console)
    {
        var (stdout, stderr) = (console.Out, console.Error);
        var root = new RootCommand(RootDescription) { Quiet, Verbose };
        foreach (var version in root.Options.OfType<VersionOption>())
            version.Action = new PrintVersion(stdout);
        StderrLog Log(ParseResult r) => new(stderr, quiet: r.GetValue(Quiet), verbose: r.GetValue(Verbose));
        Progress ProgressFor(ParseResult r) => new(stderr, enabled: console.ErrorIsTerminal && !r.GetValue(Quiet), console.ProgressAfter);

        var collect = new Command("collect", "Take a snapshot of this host's System V IPC objects, limits and usage into the database.\nExample: ipcaudit collect --db /var/lib/ipcaudit/ipcaudit.db --textfile /var/lib/prometheus/node-exporter")
            { Db, Json, ProcRootOption, At, AllowFuture, HostOption, Textfile, OrphanAge, Namespaces, CollectShipTo };
        collect.SetAction(r => Guard(stderr, () => new CollectHandler(stdout, Log(r)).Run(
            db: DatabaseLocation.Resolve(r.GetValue(Db)), json: r.GetValue(Json), procRoot: r.GetValue(ProcRootOption)!,
            at: r.GetValue(At) is { } at ? TimeArguments.ParseInstant(at, "--at", console.Times.Zone) : null, host: r.GetValue(HostOption),
            textfile: r.GetValue(Textfile), orphanAge: TimeArguments.ParseDuration(r.GetValue(OrphanAge)!, "--orphan-age"),
            allowFuture: r.GetValue(AllowFuture), namespaces: r.GetValue(Namespaces) ?? Environment.GetEnvironmentVariable(CollectHandler.NamespacesVariable),
            shipTo: r.GetResult(CollectShipTo) is null ? null : ShipHandler.Server(r.GetValue(CollectShipTo)))));

        var ship = new Command("ship", "Send the local snapshots the central PostgreSQL server lacks; shipping again adds nothing twice, and a server that is down keeps them for the next run (exit 1).\nExample: ipcaudit ship --to postgresql://collector@fleetdb/ipcaudit")
            { Db, ShipTo };
        ship.SetAction(r => Guard(stderr, () =>
        {
            using var signals = Interruption.Listen();
            return new ShipHandler(stdout, Log(r), signals).Run(db: DatabaseLocation.Resolve(r.GetValue(Db)), server: ShipHandler.Server(r.GetValue(ShipTo)));
        }));

        var snapshots = new Command("snapshots", "List stored snapshots, one line each (times in the local zone).\nExample: ipcaudit snapshots --host db1") { Db, HostFilter, NamespaceFilter };
        snapshots.SetAction(r => Guard(stderr, () => new SnapshotsHandler(stdout, console.Times, Log(r)).Run(
            db: DatabaseLocation.ResolveForRead(r.GetValue(Db)), host: r.GetValue(HostFilter), ipcNamespace: r.GetValue(NamespaceFilter))));

        var show = new Command("show", "Show a stored snapshot like `ipcs -a` and `lsipc -M -S -Q`, with pids, attachers, holders and semaphore values (times in the local zone; --json in UTC), or one POSIX object and its history.\nExample: ipcaudit show 42; ipcaudit show --object posix_shm:PostgreSQL.1234")
            { SnapshotArg, Db, Json, ShowHost, NamespaceFilter, ShowObject };
        show.SetAction(r => Guard(stderr, () => new ShowHandler(stdout, console.Times, Log(r)).Run(
            db: DatabaseLocation.ResolveForRead(r.GetValue(Db)), snapshot: r.GetValue(SnapshotArg), json: r.GetValue(Json), host: r.GetValue(ShowHost), ipcNamespace: r.GetValue(NamespaceFilter),
            posixObject: r.GetValue(ShowObject))));

        var merge = new Command("merge", "Copy other hosts' snapshots into one fleet database; merging again adds nothing twice.\nExample: ipcaudit merge --db fleet.db web1.db web2.db")
            { Sources, Db };
        merge.SetAction(r => Guard(stderr, () =>
        {
            using var signals = Interruption.Listen();
            return new MergeHandler(stdout, Log(r), ProgressFor(r), signals).Run(db: DatabaseLocation.Resolve(r.GetValue(Db)), sources: r.GetValue(Sources)!);
        }));

        var prune = new Command("prune", "Delete snapshots older than a duration, then reclaim the space; or delete chosen snapshots (one stamped in the future).\nExample: ipcaudit prune --older-than 90d; ipcaudit prune --snapshot 74")
            { OlderThan, PruneSnapshots, Db, PruneForce };
        prune.SetAction(r => Guard(stderr, () =>
        {
            using var signals = Interruption.Listen();
            return new PruneHandler(stdout, console.Times, Log(r), signals).Run(db: DatabaseLocation.Resolve(r.GetValue(Db)),
                olderThan: r.GetValue(OlderThan) is { } age ? TimeArguments.ParseDuration(age, "--older-than") : null,
                snapshots: r.GetValue(PruneSnapshots), force: r.GetValue(PruneForce));
        }));

        var report = new Command("report", "Orphans, growth, limit pressure and churn over a window of history.\nExample: ipcaudit report --since 7d --format html --output review.html")
            { Db, Since, Until, Hosts, OrphanAge, Format, Section, Output, FailOn, NamespaceFilter };
        report.SetAction(r => Guard(stderr, () =>
        {
            using var signals = Interruption.Listen();
            return new ReportHandler(stdout, Log(r), ProgressFor(r), console.Times, signals).Run(
                db: DatabaseLocation.ResolveForRead(r.GetValue(Db)), since: r.GetValue(Since)!, until: r.GetValue(Until),
                hosts: r.GetValue(Hosts) ?? [], orphanAge: r.GetValue(OrphanAge)!, format: r.GetValue(Format)!,
                output: r.GetValue(Output), failOn: r.GetValue(FailOn) ?? [], section: r.GetValue(Section),
                ipcNamespace: r.GetValue(NamespaceFilter));
        }));

        var diff = new Command("diff", "Objects added, removed and changed between two snapshots, per field.\nExample: ipcaudit diff 41 42")
            { DiffFrom, DiffTo, Db, DiffJson, DiffHost, NamespaceFilter };
        diff.SetAction(r => Guard(stderr, () => new DiffHandler(stdout, console.Times, Log(r)).Run(
            db: DatabaseLocation.ResolveForRead(r.GetValue(Db)), from: r.GetValue(DiffFrom)!, to: r.GetValue(DiffTo)!,
            json: r.GetValue(DiffJson), host: r.GetValue(DiffHost), ipcNamespace: r.GetValue(NamespaceFilter))));

        var reap = new Command("reap", "Take a snapshot, then remove the orphans the report proves abandoned (dry run unless --yes); each is read again just before removal and skipped if it changed. Root only.\nExample: ipcaudit reap --orphan-age 24h --kind sem --user www-data --yes")
            { Db, OrphanAge, ReapKinds, ReapUid, ReapUser, ReapIds, ReapYes, ReapJson, At, ReapLogOption, ReapLogSince };
        reap.SetAction(r => Guard(stderr, () => r.GetValue(ReapLogOption)
            ? new ReapHandler(stdout, console.Times, Log(r)).Log(
                db: DatabaseLocation.Resolve(r.GetValue(Db)), since: r.GetValue(ReapLogSince)!, json: r.GetValue(ReapJson))
            : new ReapHandler(stdout, console.Times, Log(r)).Run(
                db: DatabaseLocation.Resolve(r.GetValue(Db)), orphanAge: r.GetValue(OrphanAge)!, kinds: r.GetValue(ReapKinds) ?? [],
                uid: r.GetValue(ReapUid), user: r.GetValue(ReapUser), ids: r.GetValue(ReapIds) ?? [], yes: r.GetValue(ReapYes),
                json: r.GetValue(ReapJson), at: r.GetValue(At) is { } at ? TimeArguments.ParseInstant(at, "--at") : null)));

        root.Subcommands.Add(collect);
        root.Subcommands.Add(snapshots);
        root.Subcommands.Add(show);
        root.Subcommands.Add(merge);
        root.Subcommands.Add(ship);
        root.Subcommands.Add(prune);
        root.Subcommands.Add(report);
        root.Subcommands.Add(diff);
        root.Subcommands.Add(reap);
        foreach (var command in root.Subcommands)
            command.Validators.Add(r =>
            {
                if (r.GetValue(Quiet) && r.GetValue(Verbose)) r.AddError("--quiet and --verbose cannot be used together");
            });
        return root;
    }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, new CliConsole(stdout, stderr));

    public static int Run(string[] args, CliConsole console)
    {
        var result = Build(console).Parse(args);
        var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error };
        var mistypedOption = result.Tokens.Any(t => t.Type == TokenType.Argument && t.Value.StartsWith("--", StringComparison.Ordinal));
        if (result.Action is not ParseErrorAction && !mistypedOption) return result.Invoke(configuration);

        // A usage error is one line on stderr, with its own exit code: a script capturing stdout must not
        // get help text or typo suggestions (System.CommandLine writes those to stdout and returns 1).
        console.Error.WriteLine($"ipcaudit: {UsageError.OneLine(result)}");
        return ExitCodes.Usage;
    }

    /// <summary>The root --help text: what it is, an example, and the exit codes scripts can rely on.</summary>
    private static string RootDescription =>
        "IpcAudit: System V IPC history — snapshots of shared memory, semaphores and message queues, and reports over them.\n"
        + "Example: ipcaudit collect && ipcaudit show\n"
        + "Times without a zone (2026-11-28T10:00) are local times, as every time shown to people is; Z or +01:00 makes them exact.\n\nExit codes:\n"
        + string.Join("\n", ExitCodes.Meanings.Select(m => $"  {m.Code,2}  {m.Meaning}"));

    /// <summary>The CLI assembly's informational version (0.1.0+commit), whoever the entry assembly is.</summary>
    public static string Version { get; } =
        typeof(CommandTree).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CommandTree).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private sealed class PrintVersion(TextWriter stdout) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            stdout.WriteLine(Version);
            return ExitCodes.Success;
        }
    }

    /// <summary>
    /// Expected failures become one line on stderr and their exit code; never a stack trace. Messages quote
    /// file content and names from the system, so control bytes are escaped here, once for every command.
    /// </summary>
    private const int MaxMessage = 2000; // a message quoting a mutated file stays one readable line

    private static int Guard(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (IpcAuditException e)
        {
            stderr.WriteLine($"ipcaudit: {TerminalText.Clean(e.Message, MaxMessage)}");
            return e.ExitCode;
        }
        catch (SqliteException e)
        {
            stderr.WriteLine($"ipcaudit: database error: {TerminalText.Clean(e.Message, MaxMessage)}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"ipcaudit: {TerminalText.Clean(e.Message, MaxMessage)}");
            return ExitCodes.Failure;
        }
    }
}
