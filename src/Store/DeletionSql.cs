namespace IpcAudit.Store;

/// <summary>
/// The statements that take one snapshot ($at, in $context) out of history; $next is the taken_at of
/// the next snapshot of that context, NULL when it was the newest (`x IS $next` matches both).
/// </summary>
internal static class DeletionSql
{
    public const string Snapshot = "SELECT context_id, taken_at FROM snapshots WHERE snapshot_id = $id";

    public const string NextInContext = "SELECT min(taken_at) FROM snapshots WHERE context_id = $context AND taken_at > $at";

    private const string InContext = "object_id IN (SELECT object_id FROM objects WHERE context_id = $context)";

    private const string PosixInContext = "posix_object_id IN (SELECT posix_object_id FROM posix_objects WHERE context_id = $context)";

    private static IEnumerable<string> States(string table, string scope) =>
    [
        // Valid at the deleted snapshot only: gone with it.
        $"DELETE FROM {table} WHERE {scope} AND valid_from = $at AND valid_to IS $next",
        // Started there and still valid at the next one: starts at the next one.
        $"UPDATE {table} SET valid_from = $next WHERE {scope} AND valid_from = $at",
        // Ended there: ends at the next one instead, or is current again when the deleted one was the newest.
        $"UPDATE {table} SET valid_to = $next WHERE {scope} AND valid_to = $at",
    ];

    /// <summary>In order: states before the objects they belong to.</summary>
    public static readonly IReadOnlyList<string> Unlink =
    [
        .. States("shm_states", InContext), .. States("sem_states", InContext), .. States("msg_states", InContext),
        .. States("processes", "context_id = $context"),
        "DELETE FROM objects WHERE context_id = $context AND first_seen = $at AND removed_at IS $next",
        "UPDATE objects SET first_seen = $next WHERE context_id = $context AND first_seen = $at",
        "UPDATE objects SET removed_at = $next WHERE context_id = $context AND removed_at = $at",
        // POSIX objects (schema 8) the same way; their posix_snapshot row goes with the snapshot (ON DELETE CASCADE).
        .. States("posix_states", PosixInContext),
        "DELETE FROM posix_objects WHERE context_id = $context AND first_seen = $at AND removed_at IS $next",
        "UPDATE posix_objects SET first_seen = $next WHERE context_id = $context AND first_seen = $at",
        "UPDATE posix_objects SET removed_at = $next WHERE context_id = $context AND removed_at = $at",
    ];

    public const string Unreferenced = """
        DELETE FROM limit_sets WHERE limit_set_id NOT IN (SELECT limit_set_id FROM snapshots WHERE limit_set_id IS NOT NULL);
        DELETE FROM contexts WHERE context_id NOT IN (SELECT context_id FROM snapshots)
                               AND context_id NOT IN (SELECT context_id FROM objects)
                               AND context_id NOT IN (SELECT context_id FROM processes)
                               AND context_id NOT IN (SELECT context_id FROM posix_objects);
        """;
}
