namespace IpcAudit.Store;

/// <summary>The statements of attribution (schema 6): gone processes and account names, written and read.</summary>
public static class AttributionSql
{
    /// <summary>
    /// A gone pid is recorded once, when first found gone, and again only after a live process of that
    /// pid was recorded (a reused pid that died too is another process).
    /// </summary>
    public const string InsertGone = """
        INSERT INTO gone_processes (context_id, pid, seen_at, comm, unit)
        SELECT $context, $pid, $at, $comm, $unit
        WHERE NOT EXISTS (SELECT 1 FROM gone_processes g WHERE g.context_id = $context AND g.pid = $pid
            AND g.seen_at >= coalesce((SELECT max(p.valid_from) FROM processes p WHERE p.context_id = $context AND p.pid = $pid), 0))
        ON CONFLICT DO NOTHING
        """;

    /// <summary>The name of an id as last recorded in a context (changes only are stored).</summary>
    public const string LatestName = """
        SELECT name, 1 FROM account_names WHERE context_id = $context AND kind = $kind AND id = $id ORDER BY valid_from DESC LIMIT 1
        """;

    public const string InsertName = """
        INSERT INTO account_names (context_id, kind, id, valid_from, name) VALUES ($context, $kind, $id, $at, $name)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Every name of a context valid at $at: the newest row at or before it, per kind and id.</summary>
    public const string NamesAt = """
        SELECT a.kind, a.id, a.name FROM account_names a
        WHERE a.context_id = $context AND a.valid_from = (SELECT max(b.valid_from) FROM account_names b
            WHERE b.context_id = a.context_id AND b.kind = a.kind AND b.id = a.id AND b.valid_from <= $at)
        """;

    public const string GoneProcesses = "SELECT pid, seen_at, comm, unit FROM gone_processes WHERE context_id = $context";

    public const string SourceGone = "SELECT context_id, pid, seen_at, comm, unit FROM gone_processes";
    public const string MergeGone = """
        INSERT INTO gone_processes (context_id, pid, seen_at, comm, unit) VALUES ($context, $pid, $at, $comm, $unit) ON CONFLICT DO NOTHING
        """;
    public const string SourceNames = "SELECT context_id, kind, id, valid_from, name FROM account_names";
    public const string MergeName = InsertName;
}
