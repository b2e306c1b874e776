using System.Globalization;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>Semaphore arrays with set values, blocked waiters and one array past the native stack buffer.</summary>
public sealed class SemScenario : KernelScenarioFixture
{
    internal const int LargeArray = 600;

    internal readonly ScenarioStep Counted, Bump, Large;

    public SemScenario()
    {
        var s = Scenario;
        Counted = s.Step("sem --key 0x30 --nsems 3 --mode 0600 --values 1,0,5");
        s.Step($"sem-wait --id {Counted.Id} --num 1 --op -1");
        s.Step($"sem-wait --id {Counted.Id} --num 2 --op 0");
        Bump = s.Step($"sem-op --id {Counted.Id} --num 0 --op 1");
        s.Step("sem --key private --nsems 1 --mode 0666");
        Large = s.Step($"sem --key 0x31 --nsems {LargeArray} --mode 0640 --values {string.Join(',', Enumerable.Range(0, LargeArray).Select(i => i % 100))}");
    }
}

[Trait("Category", "Kernel")]
public sealed class SemKernelTests(SemScenario scenario) : IClassFixture<SemScenario>
{
    private KernelRun Run => scenario.Run;

    [KernelFact]
    public void EverySemaphoreMatchesIpcsDetails()
    {
        var diff = new FieldComparison();
        foreach (var (what, ipcs, sem) in diff.Details(Run, IpcsKind.Sem, "access_perms", ["nsems"], ("otime", "otime"), ("ctime", "ctime")))
        {
            var semaphores = sem.GetProperty("semaphores").EnumerateArray().ToList();
            var table = IpcsOutput.SemaphoreTable(ipcs);
            diff.Text(what + " semaphores", table.Count.ToString(CultureInfo.InvariantCulture), semaphores.Count.ToString(CultureInfo.InvariantCulture));
            foreach (var (row, semaphore) in table.Zip(semaphores))
            {
                var at = $"{what} semaphore {row["semnum"]}";
                diff.Number(at, row["semnum"], semaphore, "num");
                foreach (var field in new[] { "value", "ncount", "zcount", "pid" })
                    diff.Number(at, row[field], semaphore, field);
            }
        }
        diff.AssertNone();
    }

    [KernelFact]
    public void EveryArrayRowMatchesTheIpcsTables()
    {
        var diff = new FieldComparison();
        diff.Rows(Run, IpcsKind.Sem, ("nsems", "nsems"));
        diff.AssertNone();
    }

    [KernelFact]
    public void BlockedWaitersCountAsNcountAndZcount()
    {
        var semaphores = Run.Sem(Run.IdOf(scenario.Counted)).GetProperty("semaphores");
        Assert.Equal(1, semaphores[1].GetProperty("ncount").GetInt32());
        Assert.Equal(0, semaphores[1].GetProperty("zcount").GetInt32());
        Assert.Equal(0, semaphores[2].GetProperty("ncount").GetInt32());
        Assert.Equal(1, semaphores[2].GetProperty("zcount").GetInt32());
        Assert.Equal([2, 0, 5], semaphores.EnumerateArray().Select(s => s.GetProperty("value").GetInt32()));
    }

    [KernelFact]
    public void SemaphorePidIsTheLastProcessThatChangedIt()
    {
        var semaphores = Run.Sem(Run.IdOf(scenario.Counted)).GetProperty("semaphores");
        Assert.Equal(Run.PidOf(scenario.Bump), semaphores[0].GetProperty("pid").GetInt32());
        Assert.Equal(Run.PidOf(scenario.Counted), semaphores[1].GetProperty("pid").GetInt32()); // SETVAL sets it too
    }

    [KernelFact]
    public void ArrayLargerThanTheStackBufferIsReadWhole()
    {
        var sem = Run.Sem(Run.IdOf(scenario.Large));
        Assert.Equal(SemScenario.LargeArray, sem.GetProperty("nsems").GetInt32());
        Assert.Equal(Enumerable.Range(0, SemScenario.LargeArray).Select(i => i % 100),
            sem.GetProperty("semaphores").EnumerateArray().Select(s => s.GetProperty("value").GetInt32()));
        Assert.Equal(Enumerable.Range(0, SemScenario.LargeArray),
            sem.GetProperty("semaphores").EnumerateArray().Select(s => s.GetProperty("num").GetInt32()));
    }
}
