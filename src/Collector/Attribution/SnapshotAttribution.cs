using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Attribution;

/// <summary>
/// Attribution within one snapshot, for `collect --json` and `show`: owner and group names as the host
/// resolved them, and per object its processes with their roles and its application label (the report
/// does the same over a window's history).
/// </summary>
public sealed class SnapshotAttribution
{
    private readonly Dictionary<(string, uint), string?> _names = [];
    private readonly Dictionary<int, ProcessInfo> _processes = [];
    private readonly bool _livenessKnown;
    private readonly List<KeyCandidate> _all = [];

    public SnapshotAttribution(Snapshot s)
    {
        foreach (var n in s.AccountNames) _names[(n.Kind, n.Id)] = n.Name;
        foreach (var p in s.Processes)
        {
            _processes[p.Pid] = p;
            if (Candidate(p) is { } c) _all.Add(c);
        }
        _livenessKnown = s.StepSucceeded("processes");
    }

    public string? UserName(uint uid) => _names.GetValueOrDefault((AccountName.User, uid));

    public string? GroupName(uint gid) => _names.GetValueOrDefault((AccountName.Group, gid));

    public (string? Application, string? Evidence, IReadOnlyList<ObjectProcess> Processes) Of(string kind, uint key,
        IEnumerable<(int Pid, string Role)> users)
    {
        var processes = new List<ObjectProcess>();
        var candidates = new List<KeyCandidate>();
        var seen = new HashSet<(int, string)>();
        foreach (var (pid, role) in users)
        {
            if (pid <= 0 || !seen.Add((pid, role))) continue;
            if (_processes.TryGetValue(pid, out var p))
            {
                processes.Add(new ObjectProcess(pid, role, _livenessKnown ? p.Alive : null, p.Comm, p.Cmdline, p.Exe, p.Cgroup?.Unit));
                if (Candidate(p) is { } c) candidates.Add(c);
            }
            else processes.Add(new ObjectProcess(pid, role, null, null, null, null, null));
        }
        var (application, evidence) = ApplicationLabel.Of(kind, key, processes, candidates.Concat(_all));
        return (application, evidence, processes);
    }

    public static IEnumerable<(int, string)> Users(ShmSegment o) =>
        [(o.Cpid, ObjectRoles.Creator), (o.Lpid, ObjectRoles.LastUser), .. (o.AttachedPids ?? []).Select(p => (p, ObjectRoles.Attacher))];

    public static IEnumerable<(int, string)> Users(SemArray o) => (o.Semaphores ?? []).Select(v => (v.Pid, ObjectRoles.LastUser));

    public static IEnumerable<(int, string)> Users(MsgQueue o) => [(o.Lspid, ObjectRoles.Sender), (o.Lrpid, ObjectRoles.Receiver)];

    private static KeyCandidate? Candidate(ProcessInfo p) => p.CwdFile is null && p.ExeFile is null
        ? null
        : new KeyCandidate(p.Pid, p.Comm, p.Exe, (long?)p.ExeFile?.Device, (long?)p.ExeFile?.Inode, p.Cwd, (long?)p.CwdFile?.Device,
            (long?)p.CwdFile?.Inode, p.Cgroup?.Unit);
}

/// <summary>The roles a process has for an object, as processes[] names them.</summary>
public static class ObjectRoles
{
    public const string Creator = "creator", LastUser = "last user", Attacher = "attacher", Sender = "sender", Receiver = "receiver";
    /// <summary>POSIX objects: a process mapping the file, or holding it (or the queue) open.</summary>
    public const string Mapper = "mapper", Opener = "opener";
}
