using IpcAudit.Collector.Model;
using IpcAudit.Collector.Native;
using IpcAudit.Store;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Reap;

/// <summary>Which orphans `reap` may act on: all kinds, owners and ids when the set is empty / null.</summary>
public sealed record ReapFilter(IReadOnlySet<string> Kinds, uint? Owner, IReadOnlySet<int> Ids)
{
    public static ReapFilter All { get; } = new(new HashSet<string>(), null, new HashSet<int>());

    public bool Takes(OrphanFinding f) =>
        (Kinds.Count == 0 || Kinds.Contains(f.Kind)) && (Owner is null || f.Owner == Owner) && (Ids.Count == 0 || Ids.Contains(f.Id));
}

/// <summary>One object reap acted on, or would act on, and what became of it.</summary>
public sealed record ReapItem(OrphanFinding Finding, string? Reason = null);

/// <summary>What one reap run did: removed, skipped (it changed, or is gone), failed, and kept (idle: never removed).</summary>
public sealed record ReapResult
{
    public required bool DryRun { get; init; }
    /// <summary>Dry run: what --yes would try to remove. Otherwise empty.</summary>
    public IReadOnlyList<ReapItem> WouldRemove { get; init; } = [];
    public IReadOnlyList<ReapItem> Removed { get; init; } = [];
    public IReadOnlyList<ReapItem> Skipped { get; init; } = [];
    public IReadOnlyList<ReapItem> Failed { get; init; } = [];
    public IReadOnlyList<ReapItem> Kept { get; init; } = [];
}

/// <summary>
/// Removes orphans, and only orphans, of the context reap just took a snapshot of. Immediately before
/// each IPC_RMID the object is read again and compared with that snapshot (<see cref="ObjectRecheck"/>):
/// anything that changed is skipped with the reason. Every attempt is handed to <paramref name="record"/>
/// as it happens, so the log holds what was done even if a later step fails.
/// </summary>
/// <param name="beforeRecheck">A test seam: runs between the decision and the re-read of each object.</param>
public sealed class Reaper(IIpcObjectControl kernel, Action<ReapItem, string> record, Action<string, int>? beforeRecheck = null)
{
    public ReapResult Run(Snapshot decidedOn, IReadOnlyList<OrphanFinding> orphans, IReadOnlyList<OrphanFinding> idle,
        ReapFilter filter, bool remove)
    {
        var candidates = orphans.Where(o => o.Verdict == Verdict.Orphan && filter.Takes(o)).ToList();
        var kept = idle.Where(filter.Takes).Select(f => new ReapItem(f, f.Missing.Count > 0 ? f.Missing[0] : "idle")).ToList();
        if (!remove)
            return new ReapResult { DryRun = true, WouldRemove = candidates.Select(c => new ReapItem(c)).ToList(), Kept = kept };

        List<ReapItem> removed = [], skipped = [], failed = [];
        foreach (var finding in candidates)
        {
            beforeRecheck?.Invoke(finding.Kind, finding.Id);
            var item = Attempt(decidedOn, finding, out var outcome);
            record(item, outcome);
            (outcome switch { ReapLog.Removed => removed, ReapLog.Skipped => skipped, _ => failed }).Add(item);
        }
        return new ReapResult { DryRun = false, Removed = removed, Skipped = skipped, Failed = failed, Kept = kept };
    }

    private ReapItem Attempt(Snapshot decidedOn, OrphanFinding finding, out string outcome)
    {
        outcome = ReapLog.Skipped;
        var stat = kernel.Stat(finding.Kind, finding.Id);
        if (stat.Status == SyscallStatus.Gone) return new ReapItem(finding, "gone already: removed by someone else since the snapshot");
        if (stat.Status != SyscallStatus.Ok || stat.Value is not { } now)
        {
            outcome = ReapLog.Failed;
            return new ReapItem(finding, $"cannot read it again ({stat.Status}, errno {stat.ErrorNumber}): not removed");
        }
        var changed = finding.Kind switch
        {
            IpcKind.Shm => decidedOn.Shm.FirstOrDefault(s => s.Id == finding.Id) is { } shm ? ObjectRecheck.Shm(shm, now) : NotInSnapshot,
            IpcKind.Sem => decidedOn.Sem.FirstOrDefault(s => s.Id == finding.Id) is { } sem
                ? ObjectRecheck.Sem(sem, now, now.Nsems is { } n && n == sem.Nsems ? kernel.ReadSemaphores(sem.Id, n) : default)
                : NotInSnapshot,
            _ => decidedOn.Msg.FirstOrDefault(s => s.Id == finding.Id) is { } msg ? ObjectRecheck.Msg(msg, now) : NotInSnapshot,
        };
        if (changed is not null) return new ReapItem(finding, changed);

        var removal = kernel.Remove(finding.Kind, finding.Id);
        if (removal.Status == SyscallStatus.Ok)
        {
            outcome = ReapLog.Removed;
            return new ReapItem(finding);
        }
        if (removal.Status == SyscallStatus.Gone) return new ReapItem(finding, "gone already: removed by someone else during the re-read");
        outcome = ReapLog.Failed;
        return new ReapItem(finding, $"IPC_RMID failed ({removal.Status}, errno {removal.ErrorNumber})");
    }

    private const string NotInSnapshot = "not in the snapshot reap decided on";
}
