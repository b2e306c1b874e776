using IpcAudit.Collector;
using Npgsql;

namespace IpcAudit.Store;

public sealed record ShipResult(int SnapshotsShipped, int SnapshotsPresent, long Backlog);

/// <summary>
/// `ipcaudit ship`: the local spool's history that the server lacks, copied in one server transaction, so
/// a snapshot lands whole or not at all; the same copy as `merge`. Per host context the server's latest
/// snapshot is the watermark: rows begun or closed after it are sent (closed states included), and
/// everything is upserted by natural key, so shipping twice or after a crash adds nothing twice.
/// </summary>
public static class Shipper
{
    /// <summary>The server's latest snapshot of a context, by its natural key.</summary>
    private const string ServerWatermark = """
        SELECT max(s.taken_at) FROM snapshots s JOIN contexts c ON c.context_id = s.context_id WHERE c.natural_key = $key
        """;

    public static ShipResult Ship(string localPath, string server, CancellationToken cancel = default)
    {
        var local = Path.GetFullPath(localPath);
        using var reader = SnapshotReader.Open(local);
        var ledger = ShipLedger.Read(local);
        NpgsqlConnection connection;
        try { connection = ServerDatabase.OpenForWrite(server); }
        catch (IpcAuditException e) when (e.ExitCode == ExitCodes.Failure)
        {
            throw Backlogged(e.Message, ShipLedger.Backlog(reader.Local, ledger), e);
        }
        using (connection)
        {
            long acked = long.MinValue;
            MergeResult result;
            try
            {
                using var tx = connection.BeginTransaction();
                using var watermark = new Statement(connection, tx, ServerWatermark);
                var copy = new SnapshotCopy(reader.Connection, connection, tx, local, cancel);
                result = copy.Run(key =>
                {
                    var w = watermark.Bind(key).ScalarOrNull();
                    if (w > acked) acked = w.Value;
                    return w;
                });
                acked = Math.Max(acked, copy.LatestRead);
                tx.Commit();
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
            {
                // Nothing of this run was committed: the backlog is what it was.
                throw Backlogged($"{ServerAddress.Describe(server)}: shipping failed: {(e is PostgresException pg ? pg.MessageText : e.Message).TrimEnd('.')}",
                    ShipLedger.Backlog(reader.Local, ledger), e);
            }
            var now = new ShipLedger(acked, DateTimeOffset.UtcNow);
            now.Write(local);
            return new ShipResult(result.SnapshotsAdded, result.SnapshotsSkipped, ShipLedger.Backlog(reader.Local, now));
        }
    }

    private static IpcAuditException Backlogged(string why, long backlog, Exception inner) => new(
        $"{why}; {backlog} snapshot{(backlog == 1 ? "" : "s")} kept in the local spool for the next ship", ExitCodes.Failure, inner);
}
