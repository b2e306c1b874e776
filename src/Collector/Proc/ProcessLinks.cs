using System.Globalization;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// /proc/PID/exe and /proc/PID/cwd: the program a process runs and the directory it runs in, with
/// the device and inode of each (the stuff System V keys are made of: ftok, PostgreSQL's data
/// directory). Another user's links are closed to a non-root collector: unknown, never an error.
/// </summary>
public static class ProcessLinks
{
    public static (string? Path, FileIdentity? File) Read(ProcRoot proc, int pid, string link)
    {
        var path = proc.PathOf(pid.ToString(CultureInfo.InvariantCulture) + "/" + link);
        string? target;
        try { target = new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (null, null); }
        // A saved copy's links point into its own host's file systems: stat'ing them here would name this host's files.
        return target is null ? (null, null) : (target, proc.IsLive ? ProcFile.TryIdentity(path) : null);
    }
}
