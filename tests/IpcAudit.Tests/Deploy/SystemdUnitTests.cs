using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Deploy;

/// <summary>packaging/systemd: the units systemd would load, and the hardening that must not blind the collector.</summary>
public sealed class SystemdUnitTests : IDisposable
{
    private static readonly string Packaged = Path.Combine(TestPaths.RepoRoot, "packaging", "systemd");
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    [RequiredToolFact("systemd-analyze", "systemd")]
    public void UnitsPassSystemdAnalyzeVerify()
    {
        // verify insists that ExecStart's binary exists: point it at a stand-in in the temp folder.
        var binary = _dir.File("ipcaudit");
        File.WriteAllText(binary, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(binary, (UnixFileMode)0x1ED);
        foreach (var source in Directory.EnumerateFiles(Packaged, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_dir.Path, Path.GetRelativePath(Packaged, source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, File.ReadAllText(source).Replace("/usr/local/bin/ipcaudit", binary));
        }

        var units = Directory.GetFiles(_dir.Path).Where(f => f.EndsWith(".service") || f.EndsWith(".timer")).Order().ToArray();
        Assert.Equal(["ipcaudit-collect.service", "ipcaudit-collect.timer", "ipcaudit-prune.service", "ipcaudit-prune.timer"],
            units.Select(Path.GetFileName));
        // The unit path makes verify load ipcaudit-collect.service.d/textfile.conf too.
        var verify = BoundedProcess.Run(RequiredTool.Require("systemd-analyze", "systemd"), ["verify", "--man=no", .. units],
            TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["SYSTEMD_UNIT_PATH"] = _dir.Path + ":" }, workingDirectory: _dir.Path);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        // Unknown keys and bad values are only warnings to systemd: none may mention our files.
        Assert.DoesNotContain("ipcaudit", verify.Stdout + verify.Stderr);
    }

    [Fact]
    public void CollectorServiceSeesTheHostsIpcNamespaceAndProcesses()
    {
        var settings = Settings(File.ReadAllLines(Path.Combine(Packaged, "ipcaudit-collect.service")));
        Assert.Equal("yes", settings["NoNewPrivileges"]);
        Assert.Equal("strict", settings["ProtectSystem"]);
        Assert.Equal("ipcaudit", settings["StateDirectory"]);
        Assert.DoesNotContain("PrivateIPC", settings.Keys);
        Assert.DoesNotContain("PrivateUsers", settings.Keys);
        Assert.DoesNotContain("ProcSubset", settings.Keys);
        Assert.False(settings.TryGetValue("ProtectProc", out var protectProc) && protectProc is "invisible" or "noaccess", protectProc);
        Assert.DoesNotContain("MemoryDenyWriteExecute", settings.Keys);
        Assert.Equal("CAP_SYS_PTRACE CAP_IPC_OWNER CAP_SYS_ADMIN CAP_DAC_READ_SEARCH", settings["CapabilityBoundingSet"]);
        // setns into containers' IPC and UTS namespaces, and nothing else namespace-wise.
        Assert.Equal("ipc uts", settings["RestrictNamespaces"]);

        var timer = Settings(File.ReadAllLines(Path.Combine(Packaged, "ipcaudit-collect.timer")));
        Assert.Equal("*:0/5", timer["OnCalendar"]);
        Assert.Equal("yes", timer["Persistent"]);
        Assert.Contains("RandomizedDelaySec", timer.Keys);
    }

    /// <summary>Key=value lines, comments and sections left out; a key's last value wins, as in systemd.</summary>
    internal static Dictionary<string, string> Settings(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not ('#' or ';' or '[') && l.Contains('='))
            .Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
}
