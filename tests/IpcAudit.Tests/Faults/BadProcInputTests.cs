using System.Diagnostics;
using System.Text;
using System.Text.Json;
using IpcAudit.Collector;
using IpcAudit.Collector.Proc;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace IpcAudit.Tests.Faults;

/// <summary>
/// /proc copies the kernel never wrote: each is refused with one escaped line naming the file (exit 3),
/// or, where only one step is lost, stored with that kind unknown. Nothing false is stored, nothing hangs.
/// </summary>
public sealed class BadProcInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _proc;
    private string Db => _dir.File("a.db");

    public BadProcInputTests() => _proc = ProcCopy.Of("modern", _dir.File("proc"));

    public void Dispose() => _dir.Dispose();

    private string ShmPath => Path.Combine(_proc, "sysvipc", "shm");

    private CliRun Collect(string at = "2026-11-21T06:00:00Z", params string[] extra) =>
        CliRun.Of(["collect", "--db", Db, "--proc-root", _proc, "--at", at, .. extra]);

    private static void AssertBadInput(CliRun run, string file, params string[] expected)
    {
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.StartsWith($"ipcaudit: {file}:", run.Stderr);
        foreach (var e in expected) Assert.Contains(e, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    private int StoredSnapshots() => File.Exists(Db) ? SnapshotReader.Open(Db).List().Count : 0;

    /// <summary>The shm file with line <paramref name="line"/> (1 = header) changed by <paramref name="edit"/>.</summary>
    private void EditShmLine(int line, Func<string, string> edit)
    {
        var lines = File.ReadAllText(ShmPath).Split('\n');
        lines[line - 1] = edit(lines[line - 1]);
        File.WriteAllText(ShmPath, string.Join('\n', lines));
    }

    [Fact]
    public void DuplicateIdIsMalformedNamingFileLineAndId()
    {
        var lines = File.ReadAllLines(ShmPath).ToList();
        lines.Add(lines[2].Replace(" 4102 ", " 4101 ")); // shmid 1 again, another lpid
        File.WriteAllText(ShmPath, string.Join('\n', lines) + "\n");
        var run = Collect();
        AssertBadInput(run, "sysvipc/shm", $"sysvipc/shm:{lines.Count}:", "duplicate id 1", "line 3");
        Assert.Equal(0, StoredSnapshots());
    }

    [Fact]
    public void DuplicateIdWithTheSameCtimeIsMalformedNotASqliteError()
    {
        var lines = File.ReadAllLines(Path.Combine(_proc, "sysvipc", "msg")).ToList();
        lines.Add(lines[1]);
        File.WriteAllText(Path.Combine(_proc, "sysvipc", "msg"), string.Join('\n', lines) + "\n");
        AssertBadInput(Collect(), "sysvipc/msg", "duplicate id 0");
    }

    [Theory]
    [InlineData(40)]   // inside the required columns
    [InlineData(160)]  // after ctime: the required columns survive, rss and swap are lost
    public void FileCutInsideItsHeaderIsMalformed(int keep)
    {
        var text = File.ReadAllText(ShmPath);
        File.WriteAllText(ShmPath, text[..Math.Min(keep, text.IndexOf('\n'))]);
        AssertBadInput(Collect(), "sysvipc/shm", "sysvipc/shm:1:");
        Assert.Equal(0, StoredSnapshots());
    }

    [Fact]
    public void PartialLastRowWithoutNewlineIsMalformed()
    {
        var text = File.ReadAllText(ShmPath);
        File.WriteAllText(ShmPath, text[..(text.Length - 30)]);
        AssertBadInput(Collect(), "sysvipc/shm", "sysvipc/shm:6:", "no newline");
    }

    [Theory]
    [InlineData(" 4100 ", " +4100 ")]      // a sign the kernel never prints
    [InlineData(" 4100 ", " -4100 ")]      // a negative pid
    [InlineData(" 4100 ", " 4100\0 ")]     // a trailing NUL
    [InlineData(" 4100 ", " 4100\u00a0 ")] // a no-break space
    [InlineData(" 1000 ", " -1000 ")]      // a negative uid
    [InlineData("1795240595 ", "-1795240595 ")] // a negative time
    [InlineData("-559038737 ", "+559038737 ")]  // the key is signed, but never with '+'
    public void NumbersTheKernelNeverPrintsAreMalformed(string from, string to)
    {
        EditShmLine(2, l => ReplaceFirst(l, from, to));
        var run = Collect();
        AssertBadInput(run, "sysvipc/shm", "sysvipc/shm:2:", "not a number");
        Assert.DoesNotContain('\0', run.Stderr);
    }

    [Fact]
    public void NegativeNattchAndNsemsAreMalformed()
    {
        EditShmLine(2, l => ReplaceFirst(l, "     1  1000", "    -1  1000"));
        AssertBadInput(Collect(), "sysvipc/shm", "field 'nattch'");
        File.Copy(TestPaths.ProcFixture("modern") + "/sysvipc/shm", ShmPath, overwrite: true);
        var sem = Path.Combine(_proc, "sysvipc", "sem");
        File.WriteAllText(sem, File.ReadAllText(sem).Replace("          3  1000", "         -3  1000"));
        AssertBadInput(Collect(), "sysvipc/sem", "field 'nsems'");
    }

    [Theory]
    [InlineData("size", "9223372036854775808")]
    [InlineData("rss", "18446744073709551615")]
    [InlineData("swap", "9223372036854775808")]
    public void ShmValuesAtOrAbove2To63AreMalformed(string field, string value)
    {
        var header = File.ReadLines(ShmPath).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        EditShmLine(2, l => SetField(l, Array.IndexOf(header, field), value));
        AssertBadInput(Collect(), "sysvipc/shm", $"field '{field}'", "out of range");
        Assert.Equal(0, StoredSnapshots());
    }

    [Theory]
    [InlineData(3, "9223372036854775808")] // cbytes
    [InlineData(4, "18446744073709551615")] // qnum
    public void MsgValuesAtOrAbove2To63AreMalformed(int field, string value)
    {
        var msg = Path.Combine(_proc, "sysvipc", "msg");
        var lines = File.ReadAllLines(msg);
        lines[1] = SetField(lines[1], field, value);
        File.WriteAllText(msg, string.Join('\n', lines) + "\n");
        AssertBadInput(Collect(), "sysvipc/msg", "out of range");
    }

    [Fact]
    public void LargestValuesTheKernelCanPrintRoundTripExactly()
    {
        const string max = "9223372036854775807";
        var header = File.ReadLines(ShmPath).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        EditShmLine(2, l => SetField(SetField(SetField(l, Array.IndexOf(header, "size"), max), Array.IndexOf(header, "rss"), max),
            Array.IndexOf(header, "swap"), max));
        var msg = Path.Combine(_proc, "sysvipc", "msg");
        var lines = File.ReadAllLines(msg);
        lines[1] = SetField(SetField(lines[1], 3, max), 4, max);
        File.WriteAllText(msg, string.Join('\n', lines) + "\n");

        Assert.Equal(0, Collect().ExitCode);
        Assert.Equal(0, Collect("2026-11-21T06:05:00Z").ExitCode); // the second snapshot matches the stored state
        var show = CliRun.Of("show", "--db", Db, "--json");
        Assert.Equal(0, show.ExitCode);
        using var doc = JsonDocument.Parse(show.Stdout);
        var shm = doc.RootElement.GetProperty("shm").EnumerateArray().Single(s => s.GetProperty("id").GetInt32() == 0);
        Assert.Equal(long.MaxValue, shm.GetProperty("bytes").GetInt64());
        Assert.Equal(long.MaxValue, shm.GetProperty("rss_bytes").GetInt64());
        Assert.Equal(long.MaxValue, shm.GetProperty("swap_bytes").GetInt64());
        var queue = doc.RootElement.GetProperty("msg").EnumerateArray().Single(q => q.GetProperty("id").GetInt32() == 0);
        Assert.Equal(long.MaxValue, queue.GetProperty("cbytes").GetInt64());
        Assert.Equal(long.MaxValue, queue.GetProperty("qnum").GetInt64());
    }

    [Fact]
    public void FailedStepStoresItsCountAsUnknownAndSnapshotsSaysSo()
    {
        Assert.Equal(0, Collect().ExitCode);
        File.Delete(ShmPath);
        Directory.CreateDirectory(ShmPath); // a directory where the file should be
        var run = Collect("2026-11-21T06:05:00Z");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("is a directory", run.Stderr);
        Assert.DoesNotContain("denied", run.Stderr);

        using (var c = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=false"))
        {
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "SELECT shm_count IS NULL, sem_count FROM snapshots ORDER BY taken_at DESC LIMIT 1";
            using var r = q.ExecuteReader();
            r.Read();
            Assert.Equal(1L, r.GetInt64(0));
            Assert.Equal(2L, r.GetInt64(1));
        }
        var list = CliRun.Of(["snapshots", "--db", Db], TimeZoneInfo.Utc).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^\s+1 .*\s5\s+2\s+2\s", list[1]);
        Assert.Matches(@"^\s+2 .*\s\?\s+2\s+2\s", list[2]);
        // The segments carried over are still shown, as the count's "?" says they might be.
        Assert.Equal(5, JsonDocument.Parse(CliRun.Of("show", "--db", Db, "--json").Stdout).RootElement.GetProperty("shm").GetArrayLength());
    }

    [Fact]
    public void DirectoryWhereAFileShouldBeIsADirectoryNotAccessDenied()
    {
        var e = Assert.Throws<IOException>(() => new ProcRoot(_proc).ReadText("sysvipc"));
        Assert.Contains("is a directory", e.Message);
    }

    [Fact]
    public void FifoAndDevZeroWhereFilesShouldBeNeverBlockAndAreNotRead()
    {
        File.Delete(ShmPath);
        Assert.Equal(0, Process.Start("mkfifo", [ShmPath]).WaitForExitAndCode());
        var sem = Path.Combine(_proc, "sysvipc", "sem");
        File.Delete(sem);
        File.CreateSymbolicLink(sem, "/dev/zero");
        var shmmni = Path.Combine(_proc, "sys", "kernel", "shmmni");
        File.Delete(shmmni);
        File.CreateSymbolicLink(shmmni, "/dev/zero");

        var clock = Stopwatch.StartNew();
        var run = Collect();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("not a regular file", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Fact]
    public void FileBeyondTheSizeCapIsNotReadAndTheMessageSaysWhy()
    {
        using (var f = File.OpenWrite(ShmPath)) f.SetLength(ProcFile.MaxBytes + 1L); // sparse
        var run = Collect();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("larger than 64 MiB, far above any real /proc file", run.Stderr);
        Assert.Single(run.StderrLines, l => l.Contains("64 MiB"));
    }

    [Fact]
    public void ControlBytesInAMalformedFileAreEscapedInTheOneLineError()
    {
        EditShmLine(2, l => ReplaceFirst(l, " 4100 ", " 41\u001b[2J\a\r\n\v00 "));
        var run = Collect();
        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Single(run.StderrLines);
        foreach (var c in "\u001b\a\r\v\0") Assert.DoesNotContain(c, run.Stderr);
        Assert.Contains("sysvipc/shm:", run.Stderr);
    }

    [Fact]
    public void HostnameIsUtf8WithReplacementNeverAByteOrderMarkGuess()
    {
        var hostname = Path.Combine(_proc, "sys", "kernel", "hostname");
        File.WriteAllBytes(hostname, [0xFF, 0xFE, (byte)'h', (byte)'o', (byte)'s', (byte)'t', 0x1B, 0x07, (byte)'\n']);
        var run = Collect(extra: "--json");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("\uFFFD\uFFFDhost\u001b\u0007", JsonDocument.Parse(run.Stdout).RootElement.GetProperty("host").GetString());
    }

    [Fact]
    public void CsvReportKeepsNoRawEscOrBelFromAHostname()
    {
        File.WriteAllBytes(Path.Combine(_proc, "sys", "kernel", "hostname"), "evil\u001b]0;owned\u0007host\n"u8.ToArray());
        Assert.Equal(0, Collect().ExitCode);
        Assert.Equal(0, Collect("2026-11-21T06:05:00Z").ExitCode);
        var folder = _dir.File("csv");
        var run = CliRun.Of("report", "--db", Db, "--since", "2026-11-21T00:00:00Z", "--until", "2026-11-21T07:00:00Z",
            "--format", "csv", "--output", folder);
        Assert.Equal(0, run.ExitCode);
        var all = string.Concat(Directory.GetFiles(folder, "*.csv").Select(File.ReadAllText));
        Assert.Contains("evil?]0;owned?host", all);
        Assert.DoesNotContain('\u001b', all);
        Assert.DoesNotContain('\u0007', all);
    }

    private static string ReplaceFirst(string text, string from, string to)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' not in '{text}'");
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }

    /// <summary>Replaces the <paramref name="index"/>th space-separated field, keeping the line's other fields.</summary>
    private static string SetField(string line, int index, string value)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        fields[index] = value;
        return string.Join(' ', fields);
    }
}

internal static class ProcessExtensions
{
    public static int WaitForExitAndCode(this Process p)
    {
        p.WaitForExit();
        return p.ExitCode;
    }
}
