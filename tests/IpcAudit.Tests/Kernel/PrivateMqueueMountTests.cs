using System.Text.Json;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>Where mqueue is not mounted, collect mounts it for itself only: the queues show, the mount table does not change.</summary>
[Trait("Category", "Kernel")]
public sealed class PrivateMqueueMountTests
{
    [KernelFact]
    public void QueuesAreReadWithoutMountingAnythingForOthers()
    {
        using var work = new TempDirectory();
        File.WriteAllText(work.File("script.sh"), """
            set -euo pipefail
            cd "$WORK"
            exec 2> script.log
            set -x
            mount -t tmpfs tmpfs /dev/shm
            # Whatever the host has: no mqueue mount in this namespace.
            while grep -q ' mqueue ' /proc/self/mounts; do umount "$(awk '$3 == "mqueue" { print $2; exit }' /proc/self/mounts)"; done
            python3 "$SCENARIO" mq private_q --messages 3
            grep -c . /proc/self/mounts > mounts-before.txt
            "$DOTNET" exec "$CLI" collect --db a.db --json > snap.json
            grep -c . /proc/self/mounts > mounts-after.txt
            grep -c ' mqueue ' /proc/self/mounts > mqueue-mounts.txt || true
            """);
        var run = BoundedProcess.Run("unshare", ["--ipc", "--mount", "--propagation", "private", "bash", work.File("script.sh")], TimeSpan.FromSeconds(60),
            new Dictionary<string, string>
            {
                ["WORK"] = work.Path, ["SCENARIO"] = PosixScenario.PosixScenarioScript, ["DOTNET"] = BoundedProcess.Dotnet, ["CLI"] = BoundedProcess.CliDll,
            });
        Assert.True(run.ExitCode == 0, run.Stderr + ScenarioShell.Tail(work.File("script.log")));

        var snapshot = JsonDocument.Parse(File.ReadAllText(work.File("snap.json"))).RootElement;
        var queue = Assert.Single(snapshot.GetProperty("posix_mq").EnumerateArray());
        Assert.Equal("private_q", queue.GetProperty("name").GetString());
        Assert.Equal(3, queue.GetProperty("messages").GetInt64());
        var step = snapshot.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "posix-mq");
        Assert.True(step.GetProperty("succeeded").GetBoolean());
        Assert.Contains("private mount", step.GetProperty("note").GetString());
        Assert.Equal(File.ReadAllText(work.File("mounts-before.txt")), File.ReadAllText(work.File("mounts-after.txt")));
        Assert.Equal("0", File.ReadAllText(work.File("mqueue-mounts.txt")).Trim());
    }
}
