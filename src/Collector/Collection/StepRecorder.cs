using System.Diagnostics;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Collection;

/// <summary>
/// Times each collection step and records whether it succeeded. An I/O or permission failure
/// fails that step only; a malformed /proc file aborts the whole snapshot (nothing is written),
/// because parsing garbage into history is worse than a missing sample.
/// </summary>
internal sealed class StepRecorder
{
    private readonly List<CollectionStep> _steps = [];

    public IReadOnlyList<CollectionStep> Steps => _steps;

    public T Run<T>(string name, T fallback, Func<StepOutcome<T>> body)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var outcome = body();
            _steps.Add(new CollectionStep(name, clock.Elapsed, outcome.Succeeded, outcome.Note));
            return outcome.Value;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _steps.Add(new CollectionStep(name, clock.Elapsed, false, e.Message));
            return fallback;
        }
    }
}

internal readonly record struct StepOutcome<T>(T Value, bool Succeeded = true, string? Note = null);
