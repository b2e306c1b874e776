using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;
using Semaphore = IpcAudit.Collector.Model.Semaphore;

namespace IpcAudit.Report.Reap;

/// <summary>
/// Is the object the kernel holds under this id still the one reap decided on, in the state that made
/// it an orphan? Compares a fresh IPC_STAT (and, for an array, its semaphores) with the snapshot record
/// the verdict was made on. Returns why not, or null when nothing changed. Identity first (key,
/// creation ctime, and for a segment its size and creator pid, for an array its nsems), then use.
/// </summary>
public static class ObjectRecheck
{
    public static string? Shm(ShmSegment was, IpcObjectStat now) =>
        Identity(was.Key, Seconds(was.Ctime), now)
        ?? (now.Size != was.Bytes || now.Cpid != was.Cpid ? $"id {was.Id} now holds another segment (size {now.Size}, creator pid {now.Cpid})" : null)
        ?? (now.Nattch is not 0 ? $"attached now ({now.Nattch} attachment{(now.Nattch == 1 ? "" : "s")})" : null)
        ?? (now.Atime != Seconds(was.Atime) || now.Dtime != Seconds(was.Dtime) || now.Lpid != was.Lpid
            ? $"attached or detached since the snapshot (last pid {now.Lpid}, was {was.Lpid})" : null)
        ?? Common(was.Mode, was.Uid, now);

    public static string? Sem(SemArray was, IpcObjectStat now, SyscallResult<Semaphore[]> semaphores)
    {
        if (Identity(was.Key, Seconds(was.Ctime), now) is { } other) return other;
        if (now.Nsems is null) return "the array's size cannot be read on this architecture";
        if (now.Nsems != was.Nsems) return $"id {was.Id} now holds another array ({now.Nsems} semaphores, was {was.Nsems})";
        if (now.Otime != Seconds(was.Otime)) return "a semop since the snapshot";
        if (Common(was.Mode, was.Uid, now) is { } changed) return changed;
        if (was.Semaphores is null) return "its semaphore values were not read at the snapshot";
        if (semaphores.Status != SyscallStatus.Ok || semaphores.Value is null) return $"its semaphores cannot be read now ({semaphores.Status})";
        foreach (var (before, after) in was.Semaphores.Zip(semaphores.Value))
        {
            if (after.Ncount != 0 || after.Zcount != 0) return $"a process waits on semaphore {after.Num} now";
            if (after.Value != before.Value || after.Pid != before.Pid) return $"semaphore {after.Num} changed since the snapshot (value {after.Value}, was {before.Value})";
        }
        return null;
    }

    public static string? Msg(MsgQueue was, IpcObjectStat now) =>
        Identity(was.Key, Seconds(was.Ctime), now)
        ?? (now.Stime != Seconds(was.Stime) || now.Lspid != was.Lspid || now.Qnum > was.Qnum ? "a message was sent since the snapshot" : null)
        ?? (now.Rtime != Seconds(was.Rtime) || now.Lrpid != was.Lrpid || now.Qnum != was.Qnum || now.Cbytes != was.Cbytes
            ? "a message was received since the snapshot" : null)
        ?? Common(was.Mode, was.Uid, now);

    private static string? Identity(uint key, long? ctime, IpcObjectStat now) =>
        now.Key != key ? $"another object holds the id now (key {IpcMode.FormatKey(now.Key)}, was {IpcMode.FormatKey(key)})"
        : now.Ctime != ctime ? $"another object holds the id now, or it was changed (ctime {Time(now.Ctime)}, was {Time(ctime)})"
        : null;

    private static string? Common(int mode, uint uid, IpcObjectStat now) =>
        now.Mode != mode ? $"its mode changed (now {Convert.ToString(now.Mode, 8)}, was {Convert.ToString(mode, 8)})"
        : now.Uid != uid ? $"its owner changed (now uid {now.Uid}, was {uid})"
        : null;

    private static long? Seconds(DateTimeOffset? t) => t?.ToUnixTimeSeconds();

    private static string Time(long? seconds) =>
        seconds is { } s ? Collector.Output.TypedJson.IsoTime(DateTimeOffset.FromUnixTimeSeconds(s)) : "none";
}
