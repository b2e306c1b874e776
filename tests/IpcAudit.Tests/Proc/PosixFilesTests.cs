using IpcAudit.Collector;
using IpcAudit.Collector.Proc;
using IpcAudit.Report.Posix;
using Xunit;

namespace IpcAudit.Tests.Proc;

public sealed class PosixFilesTests
{
    [Fact]
    public void MqueueLineGivesQueuedBytesAndTheNotifyPid()
    {
        var line = MqueueDirectory.Parse("QSIZE:129        NOTIFY:2     SIGNO:0     NOTIFY_PID:4242  \n", "/dev/mqueue/q");
        Assert.Equal(129, line.QsizeBytes);
        Assert.Equal(4242, line.NotifyPid);
    }

    [Fact]
    public void MqueueLineWithoutQsizeNamesTheFile()
    {
        var e = Assert.Throws<ProcFormatException>(() => MqueueDirectory.Parse("NOTIFY:0 SIGNO:0", "/dev/mqueue/q"));
        Assert.Contains("/dev/mqueue/q", e.Message);
        Assert.Contains("QSIZE", e.Message);
    }

    [Fact]
    public void SemaphoreValueIsTheLowWordNotTheWaiters()
    {
        // glibc 64-bit sem_t: value 7 in the low 32 bits, 2 waiters in the high 32 bits.
        Assert.Equal(7, DevShmDirectory.ParseValue([7, 0, 0, 0, 2, 0, 0, 0]));
    }

    [Fact]
    public void MqueueMountPointIsFoundInSelfMounts()
    {
        using var root = new Support.TempDirectory();
        Directory.CreateDirectory(root.File("self"));
        File.WriteAllText(root.File("self/mounts"), "proc /proc proc rw 0 0\nmqueue /dev/mqueue mqueue rw,relatime 0 0\n");
        Assert.Equal("/dev/mqueue", MqueueDirectory.MountPoint(new ProcRoot(root.Path)));
        File.WriteAllText(root.File("self/mounts"), "proc /proc proc rw 0 0\n");
        Assert.Null(MqueueDirectory.MountPoint(new ProcRoot(root.Path)));
    }

    [Fact]
    public void RemovalCommandQuotesNamesTheShellWouldSplit()
    {
        Assert.Equal("/dev/shm/PostgreSQL.1234", PosixVerdicts.ShellWord("/dev/shm/PostgreSQL.1234"));
        Assert.Equal("'/dev/shm/a b;rm -rf ~'", PosixVerdicts.ShellWord("/dev/shm/a b;rm -rf ~"));
        Assert.Equal("'/dev/shm/it'\\''s'", PosixVerdicts.ShellWord("/dev/shm/it's"));
    }
}
