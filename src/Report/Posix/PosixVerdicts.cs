using System.Globalization;
using IpcAudit.Collector.Model;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Posix;

/// <summary>
/// Judges the POSIX objects present at the end of the window, with evidence, as the System V rules do:
/// a process mapping it or holding it open (or registered with mq_notify) now, a known user alive, or any
/// change within --orphan-age is use; no holder now but nobody ever seen holding it, or holders unknown,
/// is idle; every known user gone and unchanged for --orphan-age is an orphan. Orphans rank by the
/// memory they pin (allocated bytes; bytes queued for a queue) × age.
/// </summary>
public sealed class PosixVerdicts(long minimumAgeMs)
{
    private readonly List<(OrphanFinding Finding, double Weight)> _orphans = [];
    private readonly List<OrphanFinding> _idle = [];

    public void Observe(HistoryUnit unit, ContextWindow context, IReadOnlyList<PosixObject> objects)
    {
        if (!unit.Current || context != unit.Contexts[^1]) return;
        var end = context.WindowEnd;
        var processesOk = context.Window.ProcessesOk[^1];
        foreach (var o in objects)
        {
            if (!o.PresentAt(end) || o.StateAt(end) is not { } now) continue;
            if (Judge(unit, context, o, now, end, processesOk) is { } f)
            {
                if (f.Verdict == Verdict.Orphan) _orphans.Add((f, (double)f.Bytes));
                else _idle.Add(f);
            }
        }
    }

    public IReadOnlyList<OrphanFinding> Orphans => _orphans
        .Where(o => o.Finding.AgeSeconds * 1000 >= minimumAgeMs)
        .OrderByDescending(o => o.Weight * o.Finding.AgeSeconds).ThenBy(o => o.Finding.Host, StringComparer.Ordinal)
        .ThenBy(o => o.Finding.Kind, StringComparer.Ordinal).ThenBy(o => o.Finding.Name, StringComparer.Ordinal)
        .Select(o => o.Finding).ToList();

    public IReadOnlyList<OrphanFinding> Idle => _idle.OrderByDescending(f => f.AgeSeconds).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Takes in the findings of verdicts that observed other units of the same report, then puts every finding
    /// in the order of its unit (<paramref name="unitIndex"/> of its label): as if one reader had observed all.
    /// </summary>
    public void Include(IEnumerable<PosixVerdicts> others, Func<string, int> unitIndex)
    {
        foreach (var other in others)
        {
            _orphans.AddRange(other._orphans);
            _idle.AddRange(other._idle);
        }
        // Stable sorts: a unit's findings keep the order it observed them in.
        var orphans = _orphans.OrderBy(o => unitIndex(o.Finding.Host)).ToList();
        var idle = _idle.OrderBy(f => unitIndex(f.Host)).ToList();
        _orphans.Clear();
        _idle.Clear();
        _orphans.AddRange(orphans);
        _idle.AddRange(idle);
    }

    private OrphanFinding? Judge(HistoryUnit unit, ContextWindow context, PosixObject o, PosixState now, long end, bool processesOk)
    {
        var holders = (now.MappedPids ?? []).Concat(now.OpenPids ?? []).Distinct().ToList();
        if (holders.Count > 0) return null;
        if (now.NotifyPid is > 0 and var n && context.Processes.AliveAt(n, end, null)) return null;
        var quietSince = now.From;
        if (end - quietSince < minimumAgeMs) return null;

        // Every pid any state recorded holding it, with the last time it was seen holding it.
        var users = new Dictionary<int, long>();
        foreach (var s in o.States)
            foreach (var pid in (s.MappedPids ?? []).Concat(s.OpenPids ?? []).Append(s.NotifyPid ?? 0))
                if (pid > 0) users[pid] = Math.Max(users.GetValueOrDefault(pid), Math.Min(s.To, end));
        var evidence = new List<string>
        {
            $"no process maps it or holds it open at the last snapshot ({Time(end)})",
            $"unchanged since {Time(quietSince)} (size, times{(o.Kind == PosixKinds.Sem ? ", value" : o.Kind == PosixKinds.Mq ? ", messages" : "")} and holders)",
        };
        var missing = new List<string>();
        var holdersKnown = o.Kind == PosixKinds.Mq ? now.OpenPids is not null : now.MappedPids is not null && now.OpenPids is not null;
        if (!holdersKnown) missing.Add("its holders were unknown at the last snapshot (some processes' maps or fds unreadable)");
        if (!processesOk) missing.Add("liveness unknown at the last snapshot (the processes step failed)");
        if (users.Count == 0)
            missing.Add("no process was ever seen holding it (made and left between snapshots, or before the first): who made it is unknown");

        ProcessSpan? last = null;
        var lastGone = quietSince;
        foreach (var (pid, seen) in users.OrderBy(u => u.Value))
        {
            if (context.Processes.AliveAt(pid, end, null)) return null;
            var span = context.Processes.Identify(pid, seen - 1);
            if (span is not { } p)
            {
                missing.Add($"pid {pid}, seen holding it, was never identified (no process record)");
                continue;
            }
            var gone = context.Processes.GoneAt(p);
            lastGone = Math.Max(lastGone, gone);
            last = p;
            evidence.Add($"pid {pid} ({p.Comm ?? "?"}) held it until {Time(seen)}, gone by {Time(gone)}");
        }

        var path = PosixHistory.PathOf(o.Kind, o.Name);
        var bytes = o.Kind == PosixKinds.Mq ? now.Bytes ?? 0 : now.AllocatedBytes ?? now.Bytes ?? 0;
        var what = o.Kind switch
        {
            PosixKinds.Mq => $"message queue {path}, {(now.Messages is { } m ? m.ToString(CultureInfo.InvariantCulture) + (m == 1 ? " message" : " messages") : "messages unknown")}",
            PosixKinds.Sem => $"named semaphore {path}, value {now.Value?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}",
            _ => $"{Output.Readable.Bytes((ulong)bytes)} in {path}",
        };
        if (last is { } l) what += $", last held by {l.Comm ?? "?"} (pid {l.Pid})";
        var orphan = missing.Count == 0;
        if (o.Kind != PosixKinds.Mq) evidence.Add($"{bytes} bytes allocated in the /dev/shm tmpfs (RAM or swap) until it is removed or the host reboots");
        var since = orphan ? lastGone : quietSince;
        return new OrphanFinding
        {
            Verdict = orphan ? Verdict.Orphan : Verdict.Idle,
            Host = unit.Label, Kind = o.Kind, Id = 0, Key = "", Name = o.Name, Owner = now.Uid, Bytes = (ulong)bytes,
            FirstSeen = DateTimeOffset.FromUnixTimeMilliseconds(o.FirstSeen),
            UnusedSince = DateTimeOffset.FromUnixTimeMilliseconds(quietSince),
            OrphanedSince = orphan ? DateTimeOffset.FromUnixTimeMilliseconds(since) : null,
            AgeSeconds = (end - since) / 1000,
            CreatorPid = last?.Pid, CreatorAlive = last is null ? null : false, CreatorCommand = last?.Command,
            Reason = orphan ? $"{what}; every process that used it is gone" : $"{what}; idle: {missing[0]}",
            Evidence = evidence, Missing = orphan ? [] : missing,
            SuggestedCommand = orphan ? "rm " + ShellWord(path) : null,
        };
    }

    private static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>A name may hold any byte but '/': quoted for the shell unless plainly safe.</summary>
    public static string ShellWord(string s) =>
        s.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or ',' or '@')
            ? s
            : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
