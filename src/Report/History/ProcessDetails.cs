using System.Data.Common;

namespace IpcAudit.Report.History;

/// <summary>
/// What a recorded process was, as first seen: executable and working directory with their device and
/// inode (what ftok and PostgreSQL build keys from), and what its cgroup names (unit, container).
/// A class, held by reference, so the process span stays small.
/// </summary>
public sealed record ProcessDetails(string? Exe, long? ExeDev, long? ExeIno, string? Cwd, long? CwdDev, long? CwdIno,
    string? Unit, string? ContainerRuntime, string? ContainerId)
{
    /// <summary>Nine columns from <paramref name="first"/> on; null when none holds anything (history before schema 6).</summary>
    public static ProcessDetails? Read(DbDataReader r, int first)
    {
        string? S(int i) => r.IsDBNull(first + i) ? null : r.GetString(first + i);
        long? L(int i) => r.IsDBNull(first + i) ? null : r.GetInt64(first + i);
        var d = new ProcessDetails(S(0), L(1), L(2), S(3), L(4), L(5), S(6), S(7), S(8));
        return d == Nothing ? null : d;
    }

    private static readonly ProcessDetails Nothing = new(null, null, null, null, null, null, null, null, null);


    public Collector.Attribution.KeyCandidate Candidate(int pid, string? comm) =>
        new(pid, comm, Exe, ExeDev, ExeIno, Cwd, CwdDev, CwdIno, Unit);
}
