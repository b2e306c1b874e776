using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using IpcAudit.Collector;
using IpcAudit.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace IpcAudit.Tests.Faults;

/// <summary>
/// The permanent fuzzer: thousands of mutations of the committed fixture /proc trees (byte flips,
/// truncation at every line and inside the header, duplicated rows, huge, negative and signed numbers,
/// NUL and control bytes, directories, FIFOs and links where files should be), each collected
/// in-process. Every case ends in exit 0 with a snapshot equal to a clean parse of what remains valid,
/// or exit 3 with one escaped line naming the file and nothing stored; never a stack trace or a hang.
/// </summary>
[Collection(nameof(ProcFuzzTests))]
public sealed partial class ProcFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int Seed = 20261129;
    private const int Cases = 2000;
    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _dir = new();
    // The databases of the cases live in memory when the machine has /dev/shm: no fsync per case.
    private readonly string _databases = System.IO.Directory.CreateDirectory(System.IO.Directory.Exists("/dev/shm")
        ? $"/dev/shm/ipcaudit-fuzz-{Guid.NewGuid():N}"
        : System.IO.Directory.CreateTempSubdirectory("ipcaudit-fuzz-").FullName).FullName;

    public void Dispose()
    {
        _dir.Dispose();
        try { System.IO.Directory.Delete(_databases, recursive: true); } catch (IOException) { }
    }

    /// <summary>Files a mutation may hit, relative to the tree; sysvipc files weigh more (they are what is stored).</summary>
    private static readonly string[] Targets =
    [
        "sysvipc/shm", "sysvipc/shm", "sysvipc/shm", "sysvipc/sem", "sysvipc/sem", "sysvipc/msg", "sysvipc/msg",
        "sys/kernel/shmmax", "sys/kernel/sem", "sys/kernel/msgmni", "sys/kernel/hostname", "sys/kernel/random/boot_id",
        "stat", "4100/stat", "4100/status", "4100/cmdline", "4100/maps", "4102/maps",
    ];

    [Fact]
    public void MutatedProcTreesGiveATrueSnapshotOrOneEscapedLine()
    {
        var rng = new Random(Seed);
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var outcomes = new Dictionary<string, int>();
        foreach (var fixture in new[] { "modern", "old-kernel" })
        {
            var tree = ProcCopy.Of(fixture, _dir.File(fixture));
            var targets = Targets.Where(t => File.Exists(Path.Combine(tree, t))).ToArray();
            for (var i = 0; i < Cases / 2; i++)
            {
                var target = targets[rng.Next(targets.Length)];
                var path = Path.Combine(tree, target);
                var original = File.ReadAllBytes(path);
                var what = Mutate(rng, path, original);
                try
                {
                    var outcome = Check(fixture, tree, target, what, i, notAFile: what is Directory or Fifo or DeviceLink or Deleted);
                    outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                }
                finally
                {
                    Restore(path, original);
                }
            }
        }
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        output.WriteLine($"{Cases} cases in {clock.Elapsed.TotalSeconds:0.0} s ({cpu.TotalSeconds:0.0} s of CPU): "
                         + string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")));
        // The CPU time is printed, not asserted: speed is measured in benchmarks, not timed tests (docs/BENCHMARKS.md
        // records it: 74 s of CPU for 2,000 cases before schema 6-8 and the second engine, 108 s after).
        // The mutations must exercise both outcomes, or the oracle is checking nothing.
        Assert.True(outcomes.GetValueOrDefault("exit 3") > Cases / 10, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("exit 0, exact") > Cases / 10, string.Join(", ", outcomes));
    }

    private string EmptyDatabase => field ??= CreateEmptyDatabase(Path.Combine(_databases, "empty.db"));

    private static string CreateEmptyDatabase(string path)
    {
        IpcAudit.Store.SnapshotStore.OpenForWrite(path).Dispose();
        return path;
    }

    private const string Directory = "a directory", Fifo = "a FIFO", DeviceLink = "a link to a device", Deleted = "deleted";

    private string Check(string fixture, string tree, string target, string what, int i, bool notAFile)
    {
        var db = Path.Combine(_databases, $"case-{fixture}-{i}.db");
        File.Copy(EmptyDatabase, db); // created and migrated once: each case pays only for its snapshot
        var args = new[] { "collect", "--db", db, "--proc-root", tree, "--at", "2026-11-21T06:00:00Z", "--json" };
        var task = Task.Run(() => CliRun.Of(args));
        Assert.True(task.Wait(PerCase), $"case {fixture} {i} ({target}: {what}) hung");
        var run = task.Result;
        var label = $"case {fixture} {i} ({target}: {what}): exit {run.ExitCode}, stderr: {run.Stderr}";

        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.False(run.Stderr.Any(c => char.IsControl(c) && c != '\n'), label);
        Assert.True(run.ExitCode is 0 or 3, label);
        try
        {
            if (run.ExitCode == 3)
            {
                Assert.Single(run.StderrLines);
                Assert.StartsWith("ipcaudit: ", run.Stderr);
                Assert.Contains(target, run.Stderr);
                Assert.Equal("", run.Stdout);
                Assert.Equal(0, StoredSnapshots(db));
                // Refused only what the kernel could not have written.
                if (target.StartsWith("sysvipc/", StringComparison.Ordinal) && !notAFile)
                    Assert.Null(KernelTable.Parse(target[8..], File.ReadAllText(Path.Combine(tree, target), Utf8)));
                return "exit 3";
            }
            Assert.All(run.StderrLines, l => Assert.StartsWith("ipcaudit: warning: ", l));
            using var doc = JsonDocument.Parse(run.Stdout);
            var steps = doc.RootElement.GetProperty("steps").EnumerateArray()
                .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("succeeded").GetBoolean());
            var exact = true;
            foreach (var kind in new[] { "shm", "sem", "msg" })
            {
                var mutated = target == "sysvipc/" + kind;
                var expected = mutated && notAFile ? null : KernelTable.Parse(kind, File.ReadAllText(Path.Combine(tree, "sysvipc", kind), Utf8));
                if (mutated && !notAFile)
                    Assert.True(expected is not null, "the oracle refuses what collect accepted: " + label);
                if (expected is null)
                {
                    // The file is not there to read (a directory, FIFO, link to a device): that kind is unknown.
                    Assert.False(steps[kind], label);
                    exact = false;
                    continue;
                }
                Assert.True(steps[kind], label);
                var stored = doc.RootElement.GetProperty(kind).EnumerateArray().Select(o => Canonical(kind, o)).Order().ToList();
                Assert.Equal(expected.Order().ToList(), stored);
            }
            // What the database holds is what collect printed (checked for one case in four: it costs a second open).
            if (i % 4 != 0) return exact ? "exit 0, exact" : "exit 0, a kind unknown";
            var show = CliRun.Of("show", "--db", db, "--json");
            Assert.Equal(0, show.ExitCode);
            using var stored2 = JsonDocument.Parse(show.Stdout);
            foreach (var kind in new[] { "shm", "sem", "msg" })
                Assert.Equal(
                    doc.RootElement.GetProperty(kind).EnumerateArray().Select(o => Canonical(kind, o)).Order(),
                    stored2.RootElement.GetProperty(kind).EnumerateArray().Select(o => Canonical(kind, o)).Order());
            return exact ? "exit 0, exact" : "exit 0, a kind unknown";
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException { Message: var m } || !m.StartsWith("case ", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException(label + "\n" + e.Message);
        }
        finally
        {
            File.Delete(db);
            File.Delete(db + "-wal");
            File.Delete(db + "-shm");
        }
    }

    private static readonly Encoding Utf8 = new UTF8Encoding(false, false);

    private static long StoredSnapshots(string db)
    {
        if (!File.Exists(db)) return 0;
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=false");
        c.Open();
        using var q = c.CreateCommand();
        q.CommandText = "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'snapshots') THEN (SELECT count(*) FROM snapshots) ELSE 0 END";
        return (long)q.ExecuteScalar()!;
    }

    /// <summary>The fields a snapshot must get right, from collect's JSON, in the oracle's form.</summary>
    private static string Canonical(string kind, JsonElement o)
    {
        string N(string name) => o.GetProperty(name).ValueKind == JsonValueKind.Null ? "null" : o.GetProperty(name).GetRawText();
        string T(string name) => o.GetProperty(name).ValueKind == JsonValueKind.Null
            ? "0"
            : DateTimeOffset.Parse(o.GetProperty(name).GetString()!, CultureInfo.InvariantCulture).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = o.GetProperty("key").GetString()!;
        var common = $"{N("id")} {Convert.ToUInt32(key, 16)} {N("uid")} {N("gid")} {N("cuid")} {N("cgid")} {T("ctime")}";
        return kind switch
        {
            "shm" => $"{common} {N("bytes")} {N("cpid")} {N("lpid")} {N("nattch")} {T("atime")} {T("dtime")} {N("rss_bytes")} {N("swap_bytes")}",
            "sem" => $"{common} {N("nsems")} {T("otime")}",
            _ => $"{common} {N("cbytes")} {N("qnum")} {N("lspid")} {N("lrpid")} {T("stime")} {T("rtime")}",
        };
    }

    private static void Restore(string path, byte[] original)
    {
        if (System.IO.Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null) System.IO.Directory.Delete(path, recursive: true);
        else File.Delete(path); // a file, a FIFO or a link itself; nothing when deleted
        File.WriteAllBytes(path, original);
    }

    /// <summary>Changes the file at <paramref name="path"/> one way; returns what it did, for the failure message.</summary>
    private static string Mutate(Random rng, string path, byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        var lineEnds = Enumerable.Range(0, data.Length).Where(i => data[i] == '\n').ToArray();
        switch (rng.Next(12))
        {
            case 0:
            {
                var copy = (byte[])data.Clone();
                var flips = 1 + rng.Next(3);
                for (var f = 0; f < flips && copy.Length > 0; f++) copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
                File.WriteAllBytes(path, copy);
                return $"{flips} bit flips";
            }
            case 1:
            {
                var at = data.Length == 0 ? 0 : rng.Next(data.Length);
                File.WriteAllBytes(path, data[..at]);
                return $"cut at byte {at}";
            }
            case 2:
            {
                // Cut right after a line: what remains is a shorter file the kernel could have written.
                var at = lineEnds.Length == 0 ? 0 : lineEnds[rng.Next(lineEnds.Length)] + 1;
                File.WriteAllBytes(path, data[..at]);
                return $"cut after the line ending at {at}";
            }
            case 3:
            {
                var end = lineEnds.Length > 0 ? lineEnds[0] : data.Length;
                var at = rng.Next(end + 1);
                File.WriteAllBytes(path, data[..at]);
                return $"cut inside the header at {at}";
            }
            case 4:
            {
                var lines = text.Split('\n');
                if (lines.Length < 3) goto case 0;
                var row = 1 + rng.Next(lines.Length - 2);
                var list = lines.ToList();
                list.Insert(1 + rng.Next(lines.Length - 1), lines[row]);
                File.WriteAllText(path, string.Join('\n', list));
                return $"line {row + 1} duplicated";
            }
            case 5 or 6:
            {
                var numbers = Number().Matches(text);
                if (numbers.Count == 0) goto case 0;
                var m = numbers[rng.Next(numbers.Count)];
                string[] replacements =
                [
                    "18446744073709551616", "18446744073709551615", "9223372036854775808", "9223372036854775807",
                    "4294967296", "2147483648", "100000000000000000000000000000", "-1", "-" + m.Value, "+" + m.Value,
                    m.Value + "\0", m.Value + "\u00a0", "\u00a0" + m.Value, "1e3", "0x10", m.Value + "\u001b[31m", "٣",
                ];
                var r = replacements[rng.Next(replacements.Length)];
                File.WriteAllText(path, string.Concat(text.AsSpan(0, m.Index), r, text.AsSpan(m.Index + m.Length)));
                return $"number '{m.Value}' at {m.Index} → '{Escape(r)}'";
            }
            case 7:
            {
                char[] bytes = ['\0', '\u001b', '\a', '\r', '\v', '\n', '\t', '\f'];
                var c = bytes[rng.Next(bytes.Length)];
                var at = rng.Next(text.Length + 1);
                File.WriteAllText(path, text.Insert(at, c.ToString()));
                return $"'{Escape(c.ToString())}' inserted at {at}";
            }
            case 8:
                File.Delete(path);
                System.IO.Directory.CreateDirectory(path);
                return Directory;
            case 9:
                File.Delete(path);
                Process.Start("mkfifo", [path])!.WaitForExit();
                return Fifo;
            case 10:
                File.Delete(path);
                File.CreateSymbolicLink(path, rng.Next(2) == 0 ? "/dev/zero" : "/dev/null");
                return DeviceLink;
            default:
                File.Delete(path);
                return Deleted;
        }
    }

    private static string Escape(string s) => string.Concat(s.Select(c => char.IsControl(c) || c > 126 ? $"\\u{(int)c:x4}" : c.ToString()));

    [GeneratedRegex(@"-?\d+")]
    private static partial Regex Number();

    /// <summary>
    /// The oracle: /proc/sysvipc as the kernel prints it (ipc/shm.c, sem.c, msg.c seq_printf), written
    /// from the format strings, independently of the collector's parser. Null when the kernel could not
    /// have written the text; else one canonical line per object, in Canonical's form.
    /// </summary>
    private static class KernelTable
    {
        private const string U31 = "u31", U32 = "u32", U63 = "u63", Time = "time", Key = "key", Perms = "perms";

        private static readonly Dictionary<string, (string[] Required, string[] Optional, Dictionary<string, string> Types, string[] Canonical)> Kinds = new()
        {
            ["shm"] = (["key", "shmid", "perms", "size", "cpid", "lpid", "nattch", "uid", "gid", "cuid", "cgid", "atime", "dtime", "ctime"], ["rss", "swap"],
                new() { ["key"] = Key, ["shmid"] = U31, ["perms"] = Perms, ["size"] = U63, ["cpid"] = U31, ["lpid"] = U31, ["nattch"] = U63,
                    ["uid"] = U32, ["gid"] = U32, ["cuid"] = U32, ["cgid"] = U32, ["atime"] = Time, ["dtime"] = Time, ["ctime"] = Time, ["rss"] = U63, ["swap"] = U63 },
                ["shmid", "key", "uid", "gid", "cuid", "cgid", "ctime", "size", "cpid", "lpid", "nattch", "atime", "dtime", "rss", "swap"]),
            ["sem"] = (["key", "semid", "perms", "nsems", "uid", "gid", "cuid", "cgid", "otime", "ctime"], [],
                new() { ["key"] = Key, ["semid"] = U31, ["perms"] = Perms, ["nsems"] = U31, ["uid"] = U32, ["gid"] = U32, ["cuid"] = U32, ["cgid"] = U32, ["otime"] = Time, ["ctime"] = Time },
                ["semid", "key", "uid", "gid", "cuid", "cgid", "ctime", "nsems", "otime"]),
            ["msg"] = (["key", "msqid", "perms", "cbytes", "qnum", "lspid", "lrpid", "uid", "gid", "cuid", "cgid", "stime", "rtime", "ctime"], [],
                new() { ["key"] = Key, ["msqid"] = U31, ["perms"] = Perms, ["cbytes"] = U63, ["qnum"] = U63, ["lspid"] = U31, ["lrpid"] = U31,
                    ["uid"] = U32, ["gid"] = U32, ["cuid"] = U32, ["cgid"] = U32, ["stime"] = Time, ["rtime"] = Time, ["ctime"] = Time },
                ["msqid", "key", "uid", "gid", "cuid", "cgid", "ctime", "cbytes", "qnum", "lspid", "lrpid", "stime", "rtime"]),
        };

        public static List<string>? Parse(string kind, string text)
        {
            var (required, optional, types, canonical) = Kinds[kind];
            if (!text.EndsWith('\n')) return null;
            var lines = text[..^1].Split('\n');
            lines = [.. lines.Select(l => l.EndsWith('\r') ? l[..^1] : l)];
            var header = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var name in required.Concat(optional))
                if (header.Count(h => h == name) > 1) return null;
            if (required.Any(r => !header.Contains(r))) return null;
            var rows = new List<string>();
            var ids = new HashSet<string>();
            foreach (var line in lines.Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length == 0) continue; // blank lines are tolerated (SysvShmFileTests.BlankLinesAndCrLfAreIgnored)
                if (fields.Length != header.Length) return null;
                var values = new Dictionary<string, string>();
                for (var f = 0; f < header.Length; f++)
                {
                    if (!types.TryGetValue(header[f], out var type)) continue;
                    if (Value(type, fields[f]) is not { } v) return null;
                    values[header[f]] = v;
                }
                if (!ids.Add(values[required[1]])) return null;
                rows.Add(string.Join(' ', canonical.Select(c => values.GetValueOrDefault(c, "null"))));
            }
            return rows;
        }

        private static string? Value(string type, string text)
        {
            if (type == Perms) return Regex.IsMatch(text, "^[0-7]{1,7}$") ? "" : null;
            if (type == Key)
            {
                if (!Regex.IsMatch(text, "^-?[0-9]+$") || text == "-") return null;
                if (!System.Numerics.BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var k)) return null;
                if (k < int.MinValue || k > uint.MaxValue) return null;
                return ((uint)(long)(k < 0 ? k + 4294967296 : k)).ToString(CultureInfo.InvariantCulture);
            }
            if (!Regex.IsMatch(text, "^[0-9]+$")) return null;
            var n = System.Numerics.BigInteger.Parse(text, CultureInfo.InvariantCulture);
            var max = type switch { U31 => int.MaxValue, U32 => uint.MaxValue, Time => 253402300799, _ => (System.Numerics.BigInteger)long.MaxValue };
            return n > max ? null : n.ToString(CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>The fuzzer runs alone, so the process's CPU time it measures is its own.</summary>
[CollectionDefinition(nameof(ProcFuzzTests), DisableParallelization = true)]
public sealed class ProcFuzzCollection;
