using System.Globalization;
using IpcAudit.Collector.Attribution;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Attribution;

/// <summary>Keys decoded as the C library builds them: checked against glibc's own ftok(3), called on a real directory.</summary>
public sealed class KeySchemesTests
{
    /// <summary>glibc's ftok of <paramref name="path"/>, with the directory's st_dev and st_ino, from python3's ctypes.</summary>
    private static (uint Key, long Dev, long Ino) LibcFtok(string path, int id)
    {
        var run = BoundedProcess.Run("python3", ["-c",
            "import ctypes, os, sys; p = sys.argv[1]; s = os.stat(p); "
            + "k = ctypes.CDLL(None).ftok(p.encode(), int(sys.argv[2])); print(k & 0xffffffff, s.st_dev, s.st_ino)", path, id.ToString(CultureInfo.InvariantCulture)],
            TimeSpan.FromSeconds(30));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var f = run.Stdout.Split(' ', StringSplitOptions.TrimEntries);
        return (uint.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FtokKeyOfAProcessWorkingDirectoryNamesTheDirectoryAndTheProgram()
    {
        using var dir = new TempDirectory();
        var (key, dev, ino) = LibcFtok(dir.Path, 0x41);
        Assert.NotEqual(uint.MaxValue, key); // ftok returns -1 when it cannot stat the path
        Assert.True(KeySchemes.Ftok(key, dev, ino));
        Assert.False(KeySchemes.Ftok(key ^ 1, dev, ino));

        var worker = new KeyCandidate(4242, "worker", "/usr/bin/worker", 1, 2, dir.Path, dev, ino, "worker.service");
        var match = KeySchemes.Match("sem", key, [worker]);
        Assert.NotNull(match);
        Assert.Equal("worker.service", match.Application);
        Assert.Equal($"key 0x{key:x8} is ftok(\"{dir.Path}\", 65), the working directory of pid 4242 (worker)", match.Evidence);
    }

    [Fact]
    public void KeyOfNoKnownFileNamesNothing()
    {
        using var dir = new TempDirectory();
        var (key, dev, ino) = LibcFtok(dir.Path, 7);
        var elsewhere = new KeyCandidate(1, "other", "/usr/bin/other", dev, ino + 1, "/", dev, ino + 1, null);
        Assert.Null(KeySchemes.Match("msg", key, [elsewhere]));
        Assert.Null(KeySchemes.Match("shm", 0, [elsewhere])); // IPC_PRIVATE
    }
}
