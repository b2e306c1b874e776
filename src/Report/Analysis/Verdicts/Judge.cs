using System.Globalization;
using IpcAudit.Report.History;

namespace IpcAudit.Report.Analysis.Verdicts;

public enum Outcome { InUse, Idle, Orphan }

/// <summary>An identical private array created after this one's last use, and used since: the program moved on (per-restart leak).</summary>
public readonly record struct Successor(int Id, long Ctime, long? LastOperation);

/// <summary>A verdict and every fact it rests on; for an idle object, what an orphan verdict would still need.</summary>
public sealed record Judgement(Outcome Outcome, IReadOnlyList<string> Evidence, IReadOnlyList<string> Missing, long? OrphanedSince)
{
    public PidUse? Creator { get; init; }
    public bool? CreatorAlive { get; init; }
    public string? CreatorCommand { get; init; }
}

/// <summary>
/// Decides orphan, idle or in use for an object that is quiet now, from the processes its history
/// recorded. The rules (README "Orphans, idle objects and evidence"):
/// <list type="bullet">
/// <item>a user alive at the end keeps it in use; a live parent or child of a user may hold it (idle);</item>
/// <item>no recorded user at all proves nothing (idle);</item>
/// <item>a user never seen alive, or one whose parent was not recorded, says nothing about its family:
/// then an orphan also needs that no live process of the owner or creator uid started before the
/// object was created — whoever created it and could still hold its id would be such a process.
/// For an array superseded by an identical newer one in use, only the owner uid counts (Apache's
/// master is root and outlives nothing it leaked: the crashed master is gone);</item>
/// <item>liveness must be known at the last snapshot.</item>
/// </list>
/// </summary>
public static class Judge
{
    private const int CommandChars = 60;

    public static Judgement Of(ObjectUse u, Successor? successor, Func<SnapshotTimeline> fullTimeline)
    {
        var processes = u.Context.Processes;
        var end = u.End;
        var evidence = new List<string> { u.Description };
        var missing = new List<string>();
        evidence.Add(u.LastOperation is { } op
            ? $"no sign of use in any snapshot since {Time(u.UnusedSince)}; last kernel operation {Time(op)}"
            : $"no sign of use in any snapshot since {Time(u.UnusedSince)}; no kernel operation recorded");
        if (u.Unreadable) missing.Add("its values could not be read (no read permission for the collector)");
        if (!u.Context.Window.ProcessesOk[^1])
            missing.Add("liveness is unknown at the last snapshot (its process scan failed, or the collector ran in a child PID namespace)");

        var deadBy = long.MinValue;
        var familyUnknown = false;
        var held = false;
        // shm: the creator (cpid); sem and msg: the newest state's first pid (the kernel keeps no creator).
        PidUse? creator = u.Users.Count > 0 ? u.Users[0] : null;
        bool? creatorAlive = null;
        string? creatorCommand = null;
        var seen = new List<ProcessSpan>();
        var unseen = new HashSet<int>();
        foreach (var use in u.Users)
        {
            var process = processes.Operator(use.Pid, use.OpTime);
            var isCreator = creator is { } c && c.Pid == use.Pid;
            if (process is not { } p)
            {
                if (!unseen.Add(use.Pid)) continue;
                var reuse = processes.PidInUseAt(use.Pid, end) ? "; the pid is now held by a later process" : "";
                evidence.Add($"{use.Role} pid {Num(use.Pid)} (operation {Time(use.OpTime)}) was never seen alive: it exited between two snapshots{reuse}");
                if (isCreator) creatorAlive = false;
                continue;
            }
            if (seen.Any(s => s.SameProcess(p))) continue;
            seen.Add(p);
            if (isCreator) creatorCommand = p.Command;
            if (processes.Alive(p, end))
            {
                if (isCreator) creatorAlive = true;
                return new Judgement(Outcome.InUse, [$"{use.Role} {Who(p)} is alive"], [], null);
            }
            if (isCreator) creatorAlive = false;
            var gone = processes.GoneAt(p);
            deadBy = Math.Max(deadBy, gone);
            var reused = processes.PidInUseAt(p.Pid, end) ? " (the pid is now held by a later process)" : "";
            evidence.Add($"{use.Role} {Who(p)} was seen alive from {Time(p.From)} and had exited by {Time(gone)}{reused}");
            if (p.Ppid is not { } ppid)
            {
                familyUnknown = true;
                evidence.Add($"the parent of pid {Num(p.Pid)} was not recorded (history collected before schema 2)");
            }
            else if (p.ParentStartTicks is null)
                evidence.Add($"its parent pid {Num(ppid)} is not family: init, a service manager that adopts orphans, or already gone when it was first seen");
            else if (processes.Parent(p) is not { } parent)
            {
                familyUnknown = true;
                evidence.Add($"the parent of pid {Num(p.Pid)}, pid {Num(ppid)}, was not recorded");
            }
            else if (processes.Alive(parent, end))
            {
                held = true;
                missing.Add($"its parent {Who(parent)} is alive and may still hold it");
            }
            else
            {
                deadBy = Math.Max(deadBy, processes.GoneAt(parent));
                evidence.Add($"its parent {Who(parent)} had exited by {Time(processes.GoneAt(parent))}");
            }
            foreach (var child in processes.Children(p))
            {
                if (processes.Alive(child, end))
                {
                    held = true;
                    missing.Add($"its child {Who(child)} is alive and may still hold it");
                }
                else deadBy = Math.Max(deadBy, processes.GoneAt(child));
            }
        }
        var judged = new Judgement(Outcome.Idle, evidence, missing, null)
        {
            Creator = creator, CreatorAlive = creatorAlive, CreatorCommand = creatorCommand,
        };

        if (u.Users.Count == 0)
            missing.Add("no process was ever recorded using it (every pid it shows is 0), so nothing shows whether its holder is gone");
        if (successor is { } next)
            evidence.Add($"superseded: array {Num(next.Id)}, identical (owner, size, mode, private key), was created at {Time(next.Ctime)} after this one's last use and was used since ({Time(next.LastOperation)})");
        if ((unseen.Count > 0 || familyUnknown) && u.Users.Count > 0)
            Holders(u, successor is not null, evidence, missing);
        if (held || missing.Count > 0) return judged;

        // Orphaned from the first snapshot whose liveness is known, after both its last use and the last death.
        var timeline = fullTimeline();
        var from = timeline.IndexAtOrAfter(Math.Max(u.UnusedSince, deadBy));
        var at = timeline.FirstProcessesOk(from, timeline.Count - 1);
        evidence.Add($"liveness read at the last snapshot ({Time(end)})");
        var since = Math.Max(at >= 0 ? timeline.Times[at] : end, u.LastOperation ?? long.MinValue);
        return judged with { Outcome = Outcome.Orphan, OrphanedSince = Math.Min(since, end) };
    }

    /// <summary>
    /// Whoever created the object and might still hold its id started before it was created: when the
    /// families are not all known, a live process of the owner (or creator) uid that old blocks a verdict.
    /// </summary>
    private static void Holders(ObjectUse u, bool superseded, List<string> evidence, List<string> missing)
    {
        if (!u.Context.Window.HoldersKnown[^1])
        {
            missing.Add("a user's family is unknown, and the last snapshot did not record each owner's oldest live process (collected before schema 2)");
            return;
        }
        if (u.Ctime is not { } ctime)
        {
            missing.Add("a user's family is unknown, and the kernel gave no creation time to compare live processes with");
            return;
        }
        uint[] uids = superseded || u.Uid == u.Cuid ? [u.Uid] : [u.Uid, u.Cuid];
        ProcessSpan? oldest = null;
        foreach (var uid in uids)
            if (u.Context.Processes.OldestAlive(uid, u.End) is { } s && s.StartTime <= ctime + ProcessSpans.StartToleranceMs
                && (oldest is not { } o || s.StartTime < o.StartTime))
                oldest = s;
        var who = string.Join(" or ", uids.Select(x => "uid " + Num(x)));
        if (oldest is { } h)
            missing.Add($"{Who(h)} of uid {Num(h.Uid!.Value)} is alive and started ({Time(h.StartTime)}) before it was created ({Time(ctime)}): it may hold it");
        else
            evidence.Add($"no live process of {who} started before it was created ({Time(ctime)})");
    }

    private static string Who(in ProcessSpan p)
    {
        var command = p.Command;
        if (string.IsNullOrEmpty(command)) return $"pid {Num(p.Pid)}";
        if (command.Length > CommandChars) command = command[..(CommandChars - 1)] + "…";
        return $"pid {Num(p.Pid)} ({command})";
    }

    /// <summary>ISO-8601 UTC to the second, as the times of the report's other columns read.</summary>
    public static string Time(long? ms) => ms is { } t
        ? DateTimeOffset.FromUnixTimeMilliseconds(t).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
        : "never";

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
