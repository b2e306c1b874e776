using IpcAudit.Collector;
using IpcAudit.Store;

namespace IpcAudit.Cli.Commands;

/// <summary>`ipcaudit ship`: the local spool's backlog to the central PostgreSQL store (README: Fleet).</summary>
public sealed class ShipHandler(TextWriter stdout, StderrLog log, Interruption? interruption = null)
{
    public int Run(string db, string server)
    {
        log.Verbose($"database {Path.GetFullPath(db)}; server {ServerAddress.Describe(server)}");
        var r = Shipper.Ship(db, server, interruption?.Token ?? default);
        stdout.WriteLine($"{r.SnapshotsShipped} snapshots shipped to {ServerAddress.Describe(server)}, {r.SnapshotsPresent} already there; backlog {r.Backlog}");
        return ExitCodes.Success;
    }

    /// <summary>The server from --to, IPCAUDIT_SERVER or the configuration file; a usage error when none is set.</summary>
    public static string Server(string? option) => ServerAddress.Configured(option) ?? throw new IpcAuditException(
        $"no server to ship to: give --to SERVER, or set IPCAUDIT_SERVER, or `server = ...` in {ServerAddress.ConfigPath}", ExitCodes.Usage);
}
