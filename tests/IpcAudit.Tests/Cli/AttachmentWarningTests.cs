using IpcAudit.Tests.Kernel;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Cli;

/// <summary>
/// An unreadable /proc/PID/maps: the warning names the process and why, and tells a non-root user
/// to run as root but never tells root (in a sandbox's user namespace root cannot read it either).
/// </summary>
public sealed class AttachmentWarningTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// The modern fixture with pid 4102's maps readable only by its owner, a uid neither nobody nor a
    /// new user namespace's root is (there it is unmapped, so root's capabilities do not reach it).
    /// </summary>
    private string TreeWithUnreadableMaps()
    {
        var tree = _dir.File("proc");
        BoundedProcess.Run("cp", ["-a", TestPaths.ProcFixture("modern"), tree], TimeSpan.FromSeconds(30));
        File.WriteAllText(Path.Combine(tree, "4102", "comm"), "shmreader\n");
        File.SetUnixFileMode(Path.Combine(tree, "4102", "maps"), UnixFileMode.UserRead);
        Assert.Equal(0, BoundedProcess.Run("chown", ["12345:12345", Path.Combine(tree, "4102", "maps")], TimeSpan.FromSeconds(10)).ExitCode);
        foreach (var dir in new[] { _dir.Path, tree }) File.SetUnixFileMode(dir, (UnixFileMode)0x1FF);
        return tree;
    }

    private string Collect(string tree, string[] wrapper)
    {
        var run = BoundedProcess.Run(wrapper[0], [.. wrapper[1..], BoundedProcess.Dotnet, "exec", BoundedProcess.CliDll, "collect",
            "--db", _dir.File(Guid.NewGuid().ToString("N") + ".db"), "--proc-root", tree, "--at", "2026-11-20T00:00:00Z"],
            TimeSpan.FromSeconds(90), new Dictionary<string, string> { ["HOME"] = _dir.Path });
        Assert.True(run.ExitCode == 0, run.Stderr);
        return run.Stderr.Split('\n').Single(l => l.Contains("step attachments incomplete", StringComparison.Ordinal));
    }

    [KernelFact]
    public void AUserIsToldWhichProcessAndToRunAsRoot()
    {
        var line = Collect(TreeWithUnreadableMaps(), ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);
        Assert.Contains("maps unreadable, e.g. pid 4102 (shmreader): permission denied (EACCES); run as root for complete attachments", line);
    }

    [KernelFact]
    public void RootInAnotherUserNamespaceIsNotToldToRunAsRoot()
    {
        var line = Collect(TreeWithUnreadableMaps(), ["unshare", "--user", "--map-root-user"]);
        Assert.Contains("e.g. pid 4102 (shmreader): permission denied (EACCES); root cannot read them either", line);
        Assert.DoesNotContain("run as root", line);
    }
}
