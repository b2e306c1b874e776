using System.Globalization;
using Microsoft.Data.Sqlite;

namespace IpcAudit.Store;

/// <summary>
/// What the server has acknowledged of a local spool, kept beside it (DB.shipped, mode 0600): every local
/// snapshot taken at or before <see cref="AckedThrough"/> is on the server, and when the last ship
/// succeeded. It answers while the server is down (the backlog) and guards `prune`. A file, not a table,
/// because the spool's SQLite schema is the collector's; the server stays the truth of what it holds
/// (`ship` asks it, so a lost ledger only makes the next ship re-check).
/// </summary>
public sealed record ShipLedger(long AckedThrough, DateTimeOffset LastSuccess)
{
    public static string PathFor(string database) => database + ".shipped";

    public static ShipLedger? Read(string database)
    {
        var path = PathFor(System.IO.Path.GetFullPath(database));
        if (!File.Exists(path)) return null;
        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var acked)
                                 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var at)
            ? new ShipLedger(acked, DateTimeOffset.FromUnixTimeMilliseconds(at))
            : null;
    }

    /// <summary>Written to a temp file and renamed: a crash leaves the old ledger or the new one.</summary>
    public void Write(string database)
    {
        var path = PathFor(System.IO.Path.GetFullPath(database));
        var temp = path + ".tmp";
        File.WriteAllText(temp, $"{AckedThrough.ToString(CultureInfo.InvariantCulture)} {LastSuccess.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}\n");
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Retention's cutoff for a spool that ships: no later than the first unacknowledged snapshot (none acknowledged
    /// yet: nothing goes), and how many snapshots older than <paramref name="cutoff"/> that keeps.
    /// </summary>
    public static (DateTimeOffset Cutoff, long Kept) Guard(string database, DateTimeOffset cutoff)
    {
        var acked = Read(database)?.AckedThrough ?? long.MinValue;
        var wanted = UnixTime.Ms(cutoff);
        if (acked >= wanted) return (cutoff, 0);
        using var reader = SnapshotReader.Open(database);
        using var s = new Statement(reader.Local, null, "SELECT count(*) FROM snapshots WHERE taken_at > $acked AND taken_at < $cutoff");
        var kept = s.Bind(acked, wanted).Scalar();
        return (acked == long.MinValue ? DateTimeOffset.MinValue : DateTimeOffset.FromUnixTimeMilliseconds(acked + 1), kept);
    }

    /// <summary>Local snapshots the server has not acknowledged (all of them when nothing was ever shipped).</summary>
    public static long Backlog(SqliteConnection local, ShipLedger? ledger)
    {
        using var s = new Statement(local, null, "SELECT count(*) FROM snapshots WHERE taken_at > $acked");
        return s.Bind(ledger?.AckedThrough ?? long.MinValue).Scalar();
    }
}
