using System.Diagnostics;
using IpcAudit.Collector.Proc;
using Xunit;

namespace IpcAudit.Tests.Proc;

/// <summary>Format drift: the readers against this machine's real /proc, whatever it holds.</summary>
public class LiveProcTests
{
    [Fact]
    public void LiveSysvipcFilesParse()
    {
        var root = ProcRoot.Live;
        if (!Directory.Exists("/proc/sysvipc")) return; // kernel without CONFIG_SYSVIPC: nothing to drift
        Assert.All(SysvShmFile.Read(root)!, s => Assert.True(s.Id >= 0 && s.Cpid >= 0));
        Assert.All(SysvSemFile.Read(root)!, s => Assert.True(s.Id >= 0 && s.Nsems > 0));
        Assert.All(SysvMsgFile.Read(root)!, q => Assert.True(q.Id >= 0));
    }

    [Fact]
    public void LiveLimitsIdentityAndAttachmentsRead()
    {
        var limits = KernelLimitsFile.Read(ProcRoot.Live);
        Assert.NotNull(limits.Shmmni);
        Assert.NotNull(limits.Semmni);
        var id = new HostIdentityReader(ProcRoot.Live).Read();
        Assert.NotNull(id.IpcNamespace);
        Assert.NotNull(id.BootId);
        var scan = new ShmAttachmentScanner(ProcRoot.Live).Scan();
        Assert.True(scan.ProcessesScanned > 0);
        Assert.Null(scan.FirstFormatError);
        Assert.All(scan.PidsByShmid, kv => Assert.True(kv.Key >= 0 && kv.Value.All(p => p > 0)));
    }

    [Fact]
    public void ThisProcessIsAliveWithAStartTimeInThePast()
    {
        var me = new ProcessInfoReader(ProcRoot.Live).Read([Environment.ProcessId]).Single();
        Assert.True(me.Alive);
        Assert.NotNull(me.Comm);
        Assert.NotNull(me.Cmdline);
        var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        Assert.InRange(me.StartTime!.Value.UtcDateTime, started.AddSeconds(-2), started.AddSeconds(2));
    }

    /// <summary>
    /// Real kernel lines with real objects, made in a private IPC namespace so the host is untouched.
    /// Needs root and unshare; elsewhere there is nothing to create and the test has nothing to check.
    /// </summary>
    [Fact]
    public void KernelLinesFromAPrivateNamespaceParse()
    {
        if (!Environment.IsPrivilegedProcess || !File.Exists("/usr/bin/unshare") || !File.Exists("/usr/bin/ipcmk")) return;
        var psi = new ProcessStartInfo("/usr/bin/unshare", ["--ipc", "sh", "-c",
            "ipcmk -M 4096 -p 0640 >/dev/null && ipcmk -S 3 >/dev/null && ipcmk -Q >/dev/null && " +
            "cat /proc/sysvipc/shm; echo ===; cat /proc/sysvipc/sem; echo ===; cat /proc/sysvipc/msg"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        var parts = output.Split("===\n");

        var shm = SysvShmFile.Parse(parts[0], "sysvipc/shm").Single();
        Assert.Equal((0, 4096ul, 0x1A0), (shm.Id, shm.Bytes, shm.Mode));
        Assert.NotNull(shm.RssBytes);
        Assert.NotNull(shm.Ctime);
        Assert.Equal(3, SysvSemFile.Parse(parts[1], "sysvipc/sem").Single().Nsems);
        Assert.Equal(0ul, SysvMsgFile.Parse(parts[2], "sysvipc/msg").Single().Qnum);
    }
}
