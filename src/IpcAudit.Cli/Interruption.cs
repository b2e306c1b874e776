using System.Runtime.InteropServices;
using IpcAudit.Collector;

namespace IpcAudit.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM during long work (report, merge, prune). Without this .NET ends the
/// process with no word. With it the signal cancels <see cref="Token"/>; the work stops at the next
/// row or statement (SQLite statements are interrupted too), rolls back what was not committed, and
/// the handler prints one line saying what was and was not done, then exits 130 or 143 as a shell
/// expects. Work that only reads (report) may instead stop at once: <see cref="ExitAtOnce"/>.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly object _gate = new();
    private Func<string>? _atOnce;
    private TextWriter? _stderr;
    private int _critical;

    public CancellationToken Token => _cancel.Token;

    /// <summary>130 after SIGINT, 143 after SIGTERM; null while no signal came.</summary>
    public int? ExitCode { get; private set; }

    public bool Requested => ExitCode is not null;

    public static Interruption Listen()
    {
        var i = new Interruption();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            i._registrations.Add(PosixSignalRegistration.Create(signal, i.OnSignal));
        return i;
    }

    /// <summary>
    /// For read-only work: on a signal outside <see cref="Critical"/>, print "ipcaudit: interrupted: " +
    /// <paramref name="whatWasNotDone"/> and end the process now; nothing is left half-done by it.
    /// </summary>
    public void ExitAtOnce(TextWriter stderr, Func<string> whatWasNotDone) => (_stderr, _atOnce) = (stderr, whatWasNotDone);

    /// <summary>Within this (writing the output file) a signal waits until the end.</summary>
    public IDisposable Critical()
    {
        lock (_gate) _critical++;
        return new Leave(this);
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        lock (_gate)
        {
            if (ExitCode is not null) return;
            ExitCode = context.Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;
            if (_atOnce is not null && _critical == 0) ExitNow();
        }
        _cancel.Cancel();
    }

    private void ExitNow()
    {
        _stderr!.WriteLine($"ipcaudit: interrupted: {_atOnce!()}");
        _stderr.Flush();
        Environment.Exit(ExitCode!.Value);
    }

    private sealed class Leave(Interruption owner) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate) owner._critical--;
        }
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cancel.Dispose();
    }
}
