using System.Globalization;
using IpcAudit.Collector.Attribution;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Output;

/// <summary>
/// `ipcaudit show`: a snapshot's POSIX objects after its System V ones, laid out like `lsipc -M`, `-S`, `-Q`,
/// with the processes mapping or holding each (named, as attachers are), what each object is for, and the
/// /dev/shm and mqueue usage and limits. Nothing when the snapshot collected no POSIX IPC.
/// </summary>
internal static class PosixText
{
    public static void Write(TextWriter o, PosixIpc p, Func<uint, string> owner, Func<DateTimeOffset?, string> time, Dictionary<int, ProcessInfo> procs)
    {
        string Num(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "?";
        string Name(PosixShmObject f) => TerminalText.Clean(f.Name) + (f.Deleted ? " (deleted)" : "");

        o.WriteLine();
        o.WriteLine("------ POSIX Shared Memory (/dev/shm) --------");
        o.WriteLine($"{"name",-24} {"owner",-10} {"perms",-5} {"bytes",12} {"allocated",12} {"mtime",-23} {"mapped",-20} open");
        foreach (var f in p.Shm)
            o.WriteLine($"{Name(f),-24} {owner(f.Uid),-10} {IpcMode.Perms(f.Mode),-5} {f.Bytes,12} {f.AllocatedBytes,12} {time(f.Mtime),-23} {SnapshotText.Pids(f.MappedPids, procs),-20} {SnapshotText.Pids(f.OpenPids, procs)}");

        o.WriteLine();
        o.WriteLine("------ POSIX Named Semaphores (/dev/shm/sem.NAME) --------");
        o.WriteLine($"{"name",-24} {"owner",-10} {"perms",-5} {"value",8} {"mtime",-23} {"mapped",-20} open");
        foreach (var f in p.Sem)
            o.WriteLine($"{Name(f),-24} {owner(f.Uid),-10} {IpcMode.Perms(f.Mode),-5} {Num(f.Value),8} {time(f.Mtime),-23} {SnapshotText.Pids(f.MappedPids, procs),-20} {SnapshotText.Pids(f.OpenPids, procs)}");

        o.WriteLine();
        o.WriteLine("------ POSIX Message Queues (/dev/mqueue) --------");
        o.WriteLine($"{"name",-24} {"owner",-10} {"perms",-5} {"messages",8} {"max-msgs",8} {"msgsize",8} {"qsize-bytes",11} {"notify",-20} {"mtime",-23} open");
        foreach (var q in p.Mq)
            o.WriteLine($"{TerminalText.Clean(q.Name),-24} {owner(q.Uid),-10} {IpcMode.Perms(q.Mode),-5} {Num(q.Messages),8} {Num(q.MaxMessages),8} {Num(q.MessageSize),8} {Num(q.QsizeBytes),11} {(q.NotifyPid is { } n ? SnapshotText.Pid(n, procs) : "?"),-20} {time(q.Mtime),-23} {SnapshotText.Pids(q.OpenPids, procs)}");
    }

    /// <summary>The Applications lines of the POSIX objects: who maps or holds each, as for System V objects.</summary>
    public static IEnumerable<(string Kind, string Name, string? Evidence)> Applications(PosixIpc p, SnapshotAttribution who)
    {
        foreach (var f in p.Shm.Concat(p.Sem))
            yield return (f.Kind, f.Name, who.Of(f.Kind, 0, Users(f.MappedPids, f.OpenPids)).Evidence);
        foreach (var q in p.Mq)
            yield return (PosixKinds.Mq, q.Name, who.Of(PosixKinds.Mq, 0, Users(null, q.OpenPids)).Evidence);
    }

    /// <summary>The processes mapping or holding a POSIX object, with their roles, for attribution.</summary>
    public static IEnumerable<(int, string)> Users(IReadOnlyList<int>? mapped, IReadOnlyList<int>? open) =>
        [.. (mapped ?? []).Select(pid => (pid, ObjectRoles.Mapper)), .. (open ?? []).Select(pid => (pid, ObjectRoles.Opener))];

    public static void Usage(TextWriter o, PosixIpc p)
    {
        string Num(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "?";
        o.WriteLine($"POSIX: /dev/shm {Num(p.DevshmUsedBytes)} of {Num(p.DevshmBytes)} bytes used; {p.Shm.Count} files, {p.Sem.Count} named semaphores; mq queues {Num(p.MqQueues)}");
    }

    public static void Limits(TextWriter o, PosixIpc p)
    {
        string Num(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "?";
        o.WriteLine($"mqueue queues_max {Num(p.MqQueuesMax)}  msg_max {Num(p.MqMsgMax)}  msgsize_max {Num(p.MqMsgsizeMax)}  msg_default {Num(p.MqMsgDefault)}  msgsize_default {Num(p.MqMsgsizeDefault)}");
    }
}
