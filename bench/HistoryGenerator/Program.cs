using System.Diagnostics;
using IpcAudit.Bench.HistoryGenerator;
using IpcAudit.Store;

GeneratorOptions options;
try
{
    options = GeneratorOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"HistoryGenerator: {e.Message}");
    Console.Error.WriteLine(GeneratorOptions.Usage);
    return 2;
}

var interval = (long)options.Interval.TotalMilliseconds;
var endMs = options.End?.ToUnixTimeMilliseconds() ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / interval * interval;
var count = (int)Math.Round(options.Days * 86_400_000 / interval);
var startMs = endMs - (long)count * interval;
var rebootDay = options.RebootDay ?? (options.Days >= 2 ? Math.Floor(options.Days / 2) : 0);
var rebootAt = rebootDay > 0 ? startMs + (long)(rebootDay * 86_400_000) : long.MaxValue;

var clock = Stopwatch.StartNew();
var simulating = new Stopwatch();
var hosts = Enumerable.Range(1, options.Hosts)
    .Select(h => new HostSimulation($"{options.Prefix}{h:00}", options, new Random(options.Seed * 7919 + h), startMs, rebootAt))
    .ToList();
using (var store = SnapshotStore.OpenForWrite(options.Db))
{
    for (var i = 1; i <= count; i++)
    {
        var at = startMs + i * interval;
        foreach (var host in hosts)
        {
            simulating.Start();
            var snapshot = host.Step(at);
            simulating.Stop();
            store.Save(() => snapshot);
        }
        if (i % 2000 == 0) Console.Error.WriteLine($"{i}/{count} snapshots per host, {clock.Elapsed.TotalSeconds:F0} s");
    }
}
Console.WriteLine($"wrote {count} snapshots × {options.Hosts} host(s) of ~{options.Objects} objects over {options.Days} days " +
                  $"({DateTimeOffset.FromUnixTimeMilliseconds(startMs + interval):u} .. {DateTimeOffset.FromUnixTimeMilliseconds(endMs):u}) " +
                  $"into {options.Db} in {clock.Elapsed.TotalSeconds:F1} s (simulation {simulating.Elapsed.TotalSeconds:F1} s, " +
                  $"storage {(clock.Elapsed - simulating.Elapsed).TotalSeconds:F1} s; {new FileInfo(options.Db).Length / 1048576.0:F1} MiB)");
return 0;
