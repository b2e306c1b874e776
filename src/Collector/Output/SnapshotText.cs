using System.Globalization;
using IpcAudit.Collector.Attribution;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Output;

/// <summary>
/// `ipcaudit show`: a stored snapshot for a person, laid out like `ipcs -a`, plus what ipcs cannot
/// show at once: creator/last pids with their names, attachers, and every semaphore's value; then the
/// POSIX objects (<see cref="PosixText"/>) when the snapshot collected them.
/// </summary>
public static class SnapshotText
{
    /// <param name="times">The zone times are shown in; the system's local zone when null.</param>
    public static void Write(TextWriter o, Snapshot s, long snapshotId, LocalTime? times = null)
    {
        times ??= LocalTime.System;
        string Time(DateTimeOffset? t) => times.Format(t, "never");
        var procs = s.Processes.ToDictionary(p => p.Pid);
        var who = new SnapshotAttribution(s);
        // ipcs shows the owner's name; ours is the one the collected host gave, the uid when it had none.
        string Owner(uint uid) => who.UserName(uid) is { } name ? TerminalText.Clean(name) : uid.ToString(CultureInfo.InvariantCulture);
        o.WriteLine($"snapshot {snapshotId}  host {TerminalText.Clean(s.Host.Host)}  taken {times.Format(s.TakenAt)}  kernel {s.Host.Kernel}  boot {s.Host.BootId}  ipc ns {s.Host.IpcNamespace}{(s.Namespace is { } ns ? $" ({TerminalText.Clean(ns.Text)})" : "")}");
        foreach (var n in s.Notes) o.WriteLine($"note: {TerminalText.Clean(n)}");
        foreach (var st in s.Steps.Where(x => !x.Succeeded)) o.WriteLine($"step {st.Name} incomplete: {TerminalText.Clean(st.Note)}");

        o.WriteLine();
        o.WriteLine("------ Shared Memory Segments --------");
        o.WriteLine($"{"key",-10} {"shmid",-10} {"owner",-10} {"perms",-5} {"bytes",12} {"nattch",6} {"status",-11} {"cpid",-20} {"lpid",-20} attached");
        foreach (var m in s.Shm)
            o.WriteLine($"{IpcMode.FormatKey(m.Key),-10} {m.Id,-10} {Owner(m.Uid),-10} {IpcMode.Perms(m.Mode),-5} {m.Bytes,12} {m.Nattch,6} {string.Join(',', IpcMode.ShmStatus(m.Mode)),-11} {Pid(m.Cpid, procs),-20} {Pid(m.Lpid, procs),-20} {Pids(m.AttachedPids, procs)}");

        o.WriteLine();
        o.WriteLine("------ Semaphore Arrays --------");
        o.WriteLine($"{"key",-10} {"semid",-10} {"owner",-10} {"perms",-5} {"nsems",6} {"otime",-23} values (num=value/ncount/zcount/pid)");
        foreach (var a in s.Sem)
        {
            var values = a.Semaphores is null ? (a.Vanished ? "vanished during collection" : "unknown")
                : string.Join(' ', a.Semaphores.Select(v => $"{v.Num}={v.Value}/{v.Ncount}/{v.Zcount}/{v.Pid}"));
            o.WriteLine($"{IpcMode.FormatKey(a.Key),-10} {a.Id,-10} {Owner(a.Uid),-10} {IpcMode.Perms(a.Mode),-5} {a.Nsems,6} {Time(a.Otime),-23} {values}");
        }

        o.WriteLine();
        o.WriteLine("------ Message Queues --------");
        o.WriteLine($"{"key",-10} {"msqid",-10} {"owner",-10} {"perms",-5} {"used-bytes",10} {"qbytes",10} {"messages",8} {"lspid",-20} {"lrpid",-20} {"rtime",-23}");
        foreach (var q in s.Msg)
            o.WriteLine($"{IpcMode.FormatKey(q.Key),-10} {q.Id,-10} {Owner(q.Uid),-10} {IpcMode.Perms(q.Mode),-5} {q.Cbytes,10} {(q.Qbytes?.ToString(CultureInfo.InvariantCulture) ?? "?"),10} {q.Qnum,8} {Pid(q.Lspid, procs),-20} {Pid(q.Lrpid, procs),-20} {Time(q.Rtime),-23}");

        if (s.Posix is { } posix) PosixText.Write(o, posix, Owner, Time, procs);

        WriteApplications(o, s, who);
        WriteTimes(o, s, Time);

        var u = s.Usage;
        o.WriteLine();
        o.WriteLine("------ Usage --------");
        o.WriteLine($"shm segments {N(u.ShmSegments)}, pages allocated {N(u.ShmPagesAllocated)}, resident {N(u.ShmPagesResident)}, swapped {N(u.ShmPagesSwapped)}");
        o.WriteLine($"sem arrays {N(u.SemArrays)}, semaphores {N(u.SemSemaphores)}; msg queues {N(u.MsgQueues)}, messages {N(u.MsgMessages)}, bytes {N(u.MsgBytes)}");
        if (s.Posix is { } pu) PosixText.Usage(o, pu);
        var l = s.Limits;
        o.WriteLine("------ Limits --------");
        o.WriteLine($"SHMMAX {N(l.Shmmax)}  SHMALL {N(l.Shmall)} pages  SHMMNI {N(l.Shmmni)}  shm_rmid_forced {N(l.ShmRmidForced)}");
        o.WriteLine($"SEMMSL {N(l.Semmsl)}  SEMMNS {N(l.Semmns)}  SEMOPM {N(l.Semopm)}  SEMMNI {N(l.Semmni)}");
        o.WriteLine($"MSGMAX {N(l.Msgmax)}  MSGMNB {N(l.Msgmnb)}  MSGMNI {N(l.Msgmni)}");
        if (s.Posix is { } pl) PosixText.Limits(o, pl);
    }

    /// <summary>Each object's application and why (README "Attribution"), where anything says.</summary>
    private static void WriteApplications(TextWriter o, Snapshot s, SnapshotAttribution who)
    {
        var lines = new List<string>();
        foreach (var m in s.Shm) Add("shm", m.Id, who.Of("shm", m.Key, SnapshotAttribution.Users(m)).Evidence);
        foreach (var a in s.Sem) Add("sem", a.Id, who.Of("sem", a.Key, SnapshotAttribution.Users(a)).Evidence);
        foreach (var q in s.Msg) Add("msg", q.Id, who.Of("msg", q.Key, SnapshotAttribution.Users(q)).Evidence);
        if (s.Posix is { } posix)
            foreach (var (kind, name, evidence) in PosixText.Applications(posix, who))
                if (evidence is not null) lines.Add($"{kind} {TerminalText.Clean(name)}: {TerminalText.Clean(evidence)}");
        if (lines.Count == 0) return;
        o.WriteLine();
        o.WriteLine("------ Applications --------");
        foreach (var line in lines) o.WriteLine(line);

        void Add(string kind, int id, string? evidence)
        {
            if (evidence is not null) lines.Add($"{kind} {id.ToString(CultureInfo.InvariantCulture)}: {TerminalText.Clean(evidence)}");
        }
    }

    /// <summary>
    /// What `ipcs -t` shows — attach, detach and change; last semop and change; send, receive and
    /// change — but with the year and the zone, which ipcs leaves out.
    /// </summary>
    private static void WriteTimes(TextWriter o, Snapshot s, Func<DateTimeOffset?, string> time)
    {
        o.WriteLine();
        o.WriteLine("------ Shared Memory Attach/Detach/Change Times --------");
        o.WriteLine($"{"shmid",-10} {"owner",-6} {"attached",-27} {"detached",-27} changed");
        foreach (var m in s.Shm)
            o.WriteLine($"{m.Id,-10} {m.Uid,-6} {time(m.Atime),-27} {time(m.Dtime),-27} {time(m.Ctime)}");
        o.WriteLine();
        o.WriteLine("------ Semaphore Operation/Change Times --------");
        o.WriteLine($"{"semid",-10} {"owner",-6} {"last-op",-27} last-changed");
        foreach (var a in s.Sem)
            o.WriteLine($"{a.Id,-10} {a.Uid,-6} {time(a.Otime),-27} {time(a.Ctime)}");
        o.WriteLine();
        o.WriteLine("------ Message Queues Send/Recv/Change Times --------");
        o.WriteLine($"{"msqid",-10} {"owner",-6} {"send",-27} {"recv",-27} change");
        foreach (var q in s.Msg)
            o.WriteLine($"{q.Id,-10} {q.Uid,-6} {time(q.Stime),-27} {time(q.Rtime),-27} {time(q.Ctime)}");
    }

    private static string N<T>(T? v) where T : struct => v?.ToString() ?? "?";

    internal static string Pid(int pid, Dictionary<int, ProcessInfo> procs)
    {
        if (pid == 0) return "-";
        if (!procs.TryGetValue(pid, out var p)) return pid.ToString(CultureInfo.InvariantCulture);
        return p.Alive ? $"{pid}({TerminalText.Clean(p.Comm, 12)})" : $"{pid}(dead)";
    }

    internal static string Pids(IReadOnlyList<int>? pids, Dictionary<int, ProcessInfo> procs) =>
        pids is null ? "unknown" : pids.Count == 0 ? "-" : string.Join(' ', pids.Select(p => Pid(p, procs)));
}
