using System.Globalization;
using Xunit;

namespace IpcAudit.Tests.Kernel;

/// <summary>Semaphore arrays with set values, blocked waiters and one array past the native stack buffer.</summary>
public sealed class SemScenario
{
    internal const int LargeArray = 600;

    internal readonly ScenarioStep Counted, NcountWaiter, ZcountWaiter, Bump, Large;
    private readonly Lazy<KernelRun> _run;

    public SemScenario()
    {
        var s = new KernelScenario();
        Counted = s.Step("sem --key 0x30 --nsems 3 --mode 0600 --values 1,0,5");
        NcountWaiter = s.Step($"sem-wait --id {Counted.Id} --num 1 --op -1");
        ZcountWaiter = s.Step($"sem-wait --id {Counted.Id} --num 2 --op 0");
        Bump = s.Step($"sem-op --id {Counted.Id} --num 0 --op 1");
        s.Step("sem --key private --nsems 1 --mode 0666");
        Large = s.Step($"sem --key 0x31 --nsems {LargeArray} --mode 0640 --values {string.Join(',', Enumerable.Range(0, LargeArray).Select(i => i % 100))}");
        _run = new(s.Run);
    }

    internal KernelRun Run => _run.Value;
}

[Trait("Category", "Kernel")]
public sealed class SemKernelTests(SemScenario scenario) : IClassFixture<SemScenario>
{
    private KernelRun Run => scenario.Run;

    [KernelFact]
    public void EverySemaphoreMatchesIpcsDetails()
    {
        var diff = new FieldComparison();
        foreach (var sem in Run.Snapshot.GetProperty("sem").EnumerateArray())
        {
            var id = sem.GetProperty("id").GetInt32();
            var text = Run.Ipcs("-s", "-i", id.ToString(CultureInfo.InvariantCulture));
            var ipcs = IpcsOutput.Details(text);
            var what = $"sem {id}";
            foreach (var field in new[] { "uid", "gid", "cuid", "cgid", "nsems" })
                diff.Number(what, ipcs[field], sem, field);
            diff.Text(what + " perms", ipcs["access_perms"], sem.GetProperty("perms").GetString()!);
            diff.Time(what, ipcs["otime"], sem, "otime");
            diff.Time(what, ipcs["ctime"], sem, "ctime");

            var semaphores = sem.GetProperty("semaphores").EnumerateArray().ToList();
            var table = IpcsOutput.SemaphoreTable(text);
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
        var arrays = IpcsOutput.Section(Run.Ipcs("-a"), "Semaphore Arrays");
        var owners = IpcsOutput.Section(Run.Ipcs("-c"), "Semaphore Arrays Creators/Owners");
        var times = IpcsOutput.Section(Run.Ipcs("-t"), "Semaphore Operation/Change Times");
        Assert.Equal(IpcsOutput.Table(arrays).Count, Run.Snapshot.GetProperty("sem").GetArrayLength());
        foreach (var sem in Run.Snapshot.GetProperty("sem").EnumerateArray())
        {
            var id = sem.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture);
            var what = "sem " + id;
            var row = IpcsOutput.Row(arrays, "semid", id);
            var perms = IpcsOutput.Octal(sem.GetProperty("perms").GetString()!).ToString(CultureInfo.InvariantCulture);
            diff.Text(what + " key", row["key"], sem.GetProperty("key").GetString()!);
            diff.Text(what + " perms", IpcsOutput.Octal(row["perms"]).ToString(CultureInfo.InvariantCulture), perms);
            diff.Number(what, row["nsems"], sem, "nsems");
            diff.Text(what + " perms (-c)", IpcsOutput.Octal(IpcsOutput.Row(owners, "semid", id)["perms"]).ToString(CultureInfo.InvariantCulture), perms);

            // ipcs -t prints semaphore times with a year, unlike shm and msg times.
            var (_, when) = IpcsOutput.TimeRow(times.Skip(1).Single(l => l.Split(' ', 2)[0] == id));
            diff.Time(what + " (-t)", when[0], sem, "otime");
            diff.Time(what + " (-t)", when[1], sem, "ctime");
        }
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
