using IpcAudit.Collector.Proc;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Proc;

public class ShmAttachmentScannerTests
{
    private static ShmAttachmentScan ScanModern() => new ShmAttachmentScanner(new ProcRoot(TestPaths.ProcFixture("modern"))).Scan();

    [Fact]
    public void AttachedPidsAreSortedPerShmid()
    {
        var scan = ScanModern();
        Assert.Equal([0, 1, 2], scan.PidsByShmid.Keys.Order());
        Assert.Equal([4100, 4102], scan.PidsByShmid[1]);
        Assert.Equal([4102], scan.PidsByShmid[2]);
    }

    [Fact]
    public void AttachmentsInAnotherNamespaceAreIgnored()
    {
        var scan = ScanModern();
        Assert.Equal([4100], scan.PidsByShmid[0]);
        Assert.Equal(1, scan.ProcessesInOtherNamespaces);
    }

    [Fact]
    public void ZombieIsSkippedSilently()
    {
        var scan = ScanModern();
        // 4100, 4102 and the zombie 4101, whose ns link does not resolve and whose maps is empty.
        Assert.Equal(3, scan.ProcessesScanned);
        Assert.Equal(0, scan.ProcessesUnreadable);
        Assert.Null(scan.FirstFormatError);
    }

    [Fact]
    public void MalformedMapsIsCountedNotFatal()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("self/ns"));
        File.CreateSymbolicLink(temp.File("self/ns/ipc"), "ipc:[5]");
        foreach (var (pid, inode) in new[] { (10, "3"), (11, "x") })
        {
            Directory.CreateDirectory(temp.File($"{pid}/ns"));
            File.CreateSymbolicLink(temp.File($"{pid}/ns/ipc"), "ipc:[5]");
            File.WriteAllText(temp.File($"{pid}/maps"), $"7f0000000000-7f0000001000 rw-s 00000000 00:01 {inode}   /SYSV00000001 (deleted)\n");
        }
        Directory.CreateDirectory(temp.File("12abc"));

        var scan = new ShmAttachmentScanner(new ProcRoot(temp.Path)).Scan();

        Assert.Equal([10], scan.PidsByShmid[3]);
        Assert.Equal((1, 1), (scan.ProcessesScanned, scan.ProcessesUnreadable));
        Assert.Equal("11/maps:1: field 'inode': not a number: 'x'", scan.FirstFormatError);
    }
}

public class ProcFileTests
{
    [Fact]
    public void TryReadOfAMissingFileIsAnErrnoNotAnException()
    {
        var buffer = new byte[16];
        Assert.Equal(-1, ProcFile.TryRead("/nonexistent/ipcaudit/maps", ref buffer, out var errno));
        Assert.Equal(IpcAudit.Collector.Native.Errno.ENOENT, errno);
    }

    [Fact]
    public void TryReadGrowsTheBufferToTheWholeFile()
    {
        using var dir = new TempDirectory();
        var text = new string('x', 10_000);
        File.WriteAllText(dir.File("maps"), text);
        var buffer = new byte[16];
        Assert.Equal(10_000, ProcFile.TryRead(dir.File("maps"), ref buffer, out _));
        Assert.Equal(text, System.Text.Encoding.ASCII.GetString(buffer, 0, 10_000));
    }
}
