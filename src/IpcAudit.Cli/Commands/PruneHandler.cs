using IpcAudit.Collector;
using IpcAudit.Collector.Output;
using IpcAudit.Store;

namespace IpcAudit.Cli.Commands;

/// <summary>
/// `ipcaudit prune --older-than 90d`: retention, then space reclaimed. `prune --snapshot ID...`:
/// those snapshots only (one stamped in the future, a bad import), history kept consistent.
/// </summary>
public sealed class PruneHandler(TextWriter stdout, LocalTime times, StderrLog log, Interruption? interruption = null)
{
    /// <param name="force">Also delete snapshots the central server has not acknowledged (README: Fleet).</param>
    public int Run(string db, TimeSpan? olderThan, IReadOnlyList<string>? snapshots = null, bool force = false)
    {
        var ids = ParseIds(snapshots ?? []);
        if ((olderThan is null) == (ids.Count == 0))
            throw new IpcAuditException("prune: give either --older-than DURATION or --snapshot ID... (ids from `ipcaudit snapshots`)", ExitCodes.BadInput);
        var cancel = interruption?.Token ?? default;
        return olderThan is { } age ? Retain(db, age, cancel, force) : DeleteSnapshots(db, ids, cancel);
    }

    private int Retain(string db, TimeSpan olderThan, CancellationToken cancel, bool force)
    {
        var cutoff = DateTimeOffset.UtcNow - olderThan;
        // A spool that ships (it has a ledger, or a server is configured) keeps what the server lacks.
        if (!force && File.Exists(db) && (ShipLedger.Read(db) is not null || ServerAddress.Configured(null) is not null))
        {
            var (kept, count) = ShipLedger.Guard(db, cutoff);
            if (count > 0)
                log.Warning($"{count} snapshots older than {times.Format(cutoff)} are not on the central server yet and are kept (ship them first, or prune --force)");
            cutoff = kept < cutoff ? kept : cutoff;
        }
        log.Verbose($"database {Path.GetFullPath(db)}: deleting snapshots taken before {TypedJson.IsoTime(cutoff)}");
        PruneResult? committed = null;
        try
        {
            var r = Retention.Prune(db, cutoff, cancel, c => committed = c);
            stdout.WriteLine($"{r.SnapshotsDeleted} snapshots before {times.Format(cutoff)} deleted ({r.StatesDeleted} object states, {r.ObjectsDeleted} objects); {r.BytesBefore:N0} -> {r.BytesAfter:N0} bytes");
            return ExitCodes.Success;
        }
        catch (Exception e) when (interruption is { Requested: true } && e is not OutOfMemoryException)
        {
            return Interrupted(db, committed is { } c
                ? $"{c.SnapshotsDeleted} snapshots before {times.Format(cutoff)} deleted, but the space was not reclaimed (VACUUM stopped; run prune again to reclaim it)"
                : $"nothing was deleted (the deletion of snapshots before {times.Format(cutoff)} rolled back)");
        }
    }

    private int DeleteSnapshots(string db, IReadOnlyList<long> ids, CancellationToken cancel)
    {
        log.Verbose($"database {Path.GetFullPath(db)}: deleting snapshots {string.Join(", ", ids)}");
        try
        {
            var r = SnapshotDeletion.Delete(db, ids, cancel);
            if (r.NotFound.Count > 0)
                log.Warning($"no snapshot {string.Join(", ", r.NotFound)} in {Path.GetFullPath(db)} (see `ipcaudit snapshots`)");
            stdout.WriteLine($"{r.Deleted.Count} snapshots deleted{(r.Deleted.Count > 0 ? ": " + string.Join(", ", r.Deleted) : "")}");
            return r.Deleted.Count == 0 ? ExitCodes.BadInput : ExitCodes.Success;
        }
        catch (Exception e) when (interruption is { Requested: true } && e is not OutOfMemoryException)
        {
            return Interrupted(db, "nothing was deleted (the deletion rolled back)");
        }
    }

    private int Interrupted(string db, string what)
    {
        var checkpointed = WalCheckpoint.Run(db);
        log.Error($"interrupted: {what}{(checkpointed ? "; write-ahead log checkpointed" : "")}");
        return interruption!.ExitCode!.Value;
    }

    private static List<long> ParseIds(IReadOnlyList<string> values)
    {
        var ids = new List<long>();
        foreach (var v in values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!long.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                throw new IpcAuditException($"--snapshot: '{v}' is not a snapshot id (the first column of `ipcaudit snapshots`)", ExitCodes.BadInput);
            ids.Add(id);
        }
        return ids;
    }
}
