using System.Diagnostics;
using System.Runtime.InteropServices;
using IpcAudit.Collector;
using IpcAudit.Collector.Model;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Cli;

/// <summary>
/// Ctrl-C and SIGTERM sent by a real `kill` to a real ipcaudit process in the middle of long work:
/// one line saying what was and was not done, the exit code a shell expects, the WAL checkpointed.
/// </summary>
public sealed partial class SignalTests : IClassFixture<SignalTests.BigHistory>, IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly BigHistory _history;

    public SignalTests(BigHistory history) => _history = history;
    public void Dispose() => _dir.Dispose();

    /// <summary>Weeks of a busy host where every object changes at every snapshot: seconds of work to merge, prune or report.</summary>
    public sealed class BigHistory : IDisposable
    {
        private readonly TempDirectory _dir = new();
        public string Db => _dir.File("big.db");

        public BigHistory()
        {
            using var store = SnapshotStore.OpenForWrite(Db);
            for (var i = 0; i < 40; i++)
            {
                var at = T0.AddHours(i);
                store.Save(() => Build(at,
                    shm: Enumerable.Range(0, 2000).Select(n => Shm(n, nattch: i % 2, attached: i % 2 == 0 ? [] : [100 + i])).ToList(),
                    sem: Enumerable.Range(0, 2000).Select(n => Sem(n, value: i)).ToList(),
                    msg: Enumerable.Range(0, 2000).Select(n => Msg(n, qnum: (ulong)i)).ToList()));
            }
        }

        public void Dispose() => _dir.Dispose();
    }

    /// <summary>
    /// Starts the CLI with -v, waits for the line that says the work began, then sends the signal.
    /// stderr is read on a thread of its own and the signal sent by kill(2), not by an async reader and a
    /// `kill` child: with the suite's other tests busy, the thread pool once delivered the line after the
    /// whole prune had finished.
    /// </summary>
    private static (int ExitCode, string[] Stderr) RunAndSignal(string signal, string startedLine, params string[] args)
    {
        var start = new ProcessStartInfo(BoundedProcess.Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["exec", BoundedProcess.CliDll, .. args, "-v"]) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var lines = new List<string>();
        var started = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            while (p.StandardError.ReadLine() is { } line)
            {
                lock (lines) lines.Add(line);
                if (line.Contains(startedLine, StringComparison.Ordinal)) started.Set();
            }
        }) { IsBackground = true, Priority = ThreadPriority.Highest };
        reader.Start();
        var stdout = p.StandardOutput.ReadToEndAsync();
        Assert.True(started.Wait(TimeSpan.FromSeconds(60)), "the work never started: " + string.Join('\n', lines));
        Thread.Sleep(50);
        Assert.False(p.HasExited, "finished before the signal; the history is too small to interrupt");
        Assert.Equal(0, Kill(p.Id, signal == "INT" ? SigInt : SigTerm));
        if (!p.WaitForExit(60_000)) { p.Kill(true); Assert.Fail("did not stop after " + signal); }
        p.WaitForExit();
        reader.Join();
        _ = stdout.Result;
        lock (lines) return (p.ExitCode, lines.Where(l => !l.StartsWith("ipcaudit: database", StringComparison.Ordinal)
                                                          && !l.StartsWith("ipcaudit: window", StringComparison.Ordinal)).ToArray());
    }

    private const int SigInt = 2, SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static long WalBytes(string db) => File.Exists(db + "-wal") ? new FileInfo(db + "-wal").Length : 0;

    [Fact]
    public void InterruptedMergeSaysWhatWasMergedAndRollsTheRestBack()
    {
        var fleet = _dir.File("fleet.db");
        var (code, stderr) = RunAndSignal("INT", "ipcaudit: database", "merge", "--db", fleet, _history.Db);
        Assert.Equal(ExitCodes.Interrupted, code);
        var line = Assert.Single(stderr);
        Assert.Equal($"ipcaudit: interrupted: nothing merged; {_history.Db} not merged (rolled back); write-ahead log checkpointed", line);
        using (var reader = SnapshotReader.Open(fleet)) Assert.Empty(reader.List());
        Assert.Equal(0, WalBytes(fleet));
    }

    [Fact]
    public void TerminatedPruneSaysWhatWasDeleted()
    {
        var db = _dir.File("a.db");
        File.Copy(_history.Db, db);
        var (code, stderr) = RunAndSignal("TERM", "deleting snapshots taken before", "prune", "--db", db, "--older-than", "1d");
        Assert.Equal(ExitCodes.Terminated, code);
        var line = Assert.Single(stderr);
        Assert.StartsWith("ipcaudit: interrupted: ", line);
        using var reader = SnapshotReader.Open(db);
        if (line.Contains("nothing was deleted")) Assert.Equal(40, reader.List().Count);
        else
        {
            Assert.Contains("40 snapshots before", line);
            Assert.Contains("space was not reclaimed", line);
            Assert.Empty(reader.List());
        }
        Assert.EndsWith("write-ahead log checkpointed", line);
        Assert.Equal(0, WalBytes(db));
    }

    [Fact]
    public void InterruptedReportWritesNothingAndSaysSo()
    {
        var output = _dir.File("r.html");
        var (code, stderr) = RunAndSignal("INT", "ipcaudit: window", "report", "--db", _history.Db, "--since", "2026-10-30T00:00:00Z",
            "--until", "2026-11-05T00:00:00Z", "--format", "html", "--output", output);
        Assert.Equal(ExitCodes.Interrupted, code);
        Assert.Equal("ipcaudit: interrupted: no report written (the database was only read, nothing changed)", Assert.Single(stderr));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }
}
