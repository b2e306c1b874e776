using System.Text.Json;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Attribution;

/// <summary>
/// `collect --proc-root` on the "modern" fixture with the saved host's own etc/passwd and etc/group, and
/// pid 4100 (creator of shmid 0 and 1) placed in each runtime's cgroup: names, unit, container and
/// application come from the saved copy, are stored, and read back by `show` and `report`.
/// </summary>
public sealed class AttributionFixtureTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _proc;
    private readonly string _db;

    public AttributionFixtureTests()
    {
        _proc = ProcCopy.Of("modern", _dir.File("proc"));
        _db = _dir.File("h.db");
        // Names this machine does not have: they can only come from the saved copy.
        File.WriteAllText(Path.Combine(_proc, "etc/passwd"),
            "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n#alice:x:1001:1001::/:/bin/sh\nalice-fixture:x:1000:1000::/home/a:/bin/sh\n");
        File.WriteAllText(Path.Combine(_proc, "etc/group"), "root:x:0:\nwww-data:x:33:\nstaff-fixture:x:1000:alice-fixture\n");
        File.CreateSymbolicLink(Path.Combine(_proc, "4100/exe"), "/usr/lib/postgresql/15/bin/postgres (deleted)");
    }

    public void Dispose() => _dir.Dispose();

    private JsonElement Collect(string cgroupFixture, string at = "2026-11-21T06:25:00Z")
    {
        File.Copy(Path.Combine(TestPaths.Fixtures, "cgroup", cgroupFixture), Path.Combine(_proc, "4100/cgroup"), overwrite: true);
        var run = CliRun.Of("collect", "--db", _db, "--proc-root", _proc, "--at", at, "--allow-future", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using var doc = JsonDocument.Parse(run.Stdout);
        return doc.RootElement.Clone();
    }

    private static JsonElement ById(JsonElement snapshot, string kind, int id) =>
        snapshot.GetProperty(kind).EnumerateArray().Single(o => o.GetProperty("id").GetInt32() == id);

    private static string? S(JsonElement e, string name) => e.GetProperty(name).GetString();

    [Theory]
    [InlineData("systemd-service-v2", "postgresql@15-main.service", null, null, "postgresql@15-main.service")]
    [InlineData("docker-v2", null, "docker", "4f1c5b2e8a3d9c7b6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d", "postgres")]
    [InlineData("podman-v1", null, "podman", "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b", "postgres")]
    [InlineData("kubernetes-containerd-v2", null, "containerd", "c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2", "postgres")]
    [InlineData("lxc-v2", "postgresql.service", "lxc", "web1", "postgresql.service")]
    public void TheCreatorsServiceAndContainerComeFromItsCgroupFile(string fixture, string? unit, string? runtime, string? container, string application)
    {
        var snapshot = Collect(fixture);
        var process = snapshot.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("pid").GetInt32() == 4100);
        Assert.Equal(unit, S(process, "unit"));
        Assert.Equal(runtime, S(process, "container_runtime"));
        Assert.Equal(container, S(process, "container_id"));
        Assert.Equal("/usr/lib/postgresql/15/bin/postgres (deleted)", S(process, "exe"));

        var segment = ById(snapshot, "shm", 0);
        Assert.Equal(application, S(segment, "application"));
        var creator = segment.GetProperty("processes").EnumerateArray().Single(p => S(p, "role") == "creator");
        Assert.Equal(4100, creator.GetProperty("pid").GetInt32());
        Assert.Equal(unit, S(creator, "unit"));

        // Stored and read back: `show --json` says the same.
        var show = CliRun.Of("show", "--db", _db, "--json");
        Assert.True(show.ExitCode == 0, show.Stderr);
        using var shown = JsonDocument.Parse(show.Stdout);
        Assert.Equal(application, S(ById(shown.RootElement, "shm", 0), "application"));
        Assert.Equal(runtime, S(shown.RootElement.GetProperty("processes").EnumerateArray().Single(p => p.GetProperty("pid").GetInt32() == 4100), "container_runtime"));
    }

    [Fact]
    public void OwnerAndGroupNamesAreTheSavedHostsOwnWithTheIdsBeside()
    {
        var snapshot = Collect("systemd-service-v2");
        var segment = ById(snapshot, "shm", 0);
        Assert.Equal(1000, segment.GetProperty("uid").GetInt32());
        Assert.Equal("alice-fixture", S(segment, "owner_name"));
        Assert.Equal("staff-fixture", S(segment, "group_name"));
        Assert.Equal("www-data", S(ById(snapshot, "shm", 4), "owner_name"));
        // uid 106 (shmid 3) has no entry in the saved passwd: unknown, not this machine's name for it.
        Assert.Equal(JsonValueKind.Null, ById(snapshot, "shm", 3).GetProperty("owner_name").ValueKind);

        var show = CliRun.Of("show", "--db", _db);
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Contains(show.Stdout.Split('\n'), l => l.StartsWith("0xdeadbeef 0          alice-fixture", StringComparison.Ordinal));
    }

    [Fact]
    public void ReportRowsCarryOwnerNameApplicationAndProcessesAcrossFormats()
    {
        Collect("systemd-service-v2", "2026-11-21T06:25:00Z");
        Collect("systemd-service-v2", "2026-11-22T08:25:00Z");
        var report = CliRun.Of("report", "--db", _db, "--since", "2026-11-21T06:00:00Z", "--until", "2026-11-22T09:00:00Z", "--format", "json");
        Assert.True(report.ExitCode == 0, report.Stderr);
        using var doc = JsonDocument.Parse(report.Stdout);
        // shmid 4: uid 33, nattch 0, its creator 3900 gone before the first snapshot.
        var row = doc.RootElement.GetProperty("orphans").EnumerateArray().Concat(doc.RootElement.GetProperty("idle").EnumerateArray())
            .Single(o => S(o, "kind") == "shm" && o.GetProperty("id").GetInt32() == 4);
        Assert.Equal("www-data", S(row, "owner_name"));
        Assert.Equal(33, row.GetProperty("owner").GetInt32());
        var creator = Assert.Single(row.GetProperty("processes").EnumerateArray());
        Assert.Equal((3900, "creator", false), (creator.GetProperty("pid").GetInt32(), S(creator, "role"), creator.GetProperty("alive").GetBoolean()));

        var csv = CliRun.Of("report", "--db", _db, "--since", "2026-11-21T06:00:00Z", "--until", "2026-11-22T09:00:00Z", "--format", "csv",
            "--section", row.GetProperty("verdict").GetString() == "orphan" ? "orphans" : "idle");
        Assert.True(csv.ExitCode == 0, csv.Stderr);
        var lines = csv.Stdout.Split('\n');
        Assert.StartsWith("verdict,host,kind,id,key,owner,owner_name,application,bytes,", lines[1]);
        Assert.EndsWith(",missing,processes,suggested_command,name", lines[1].TrimEnd('\r'));
        Assert.Contains(lines, l => l.Contains(",www-data,") && l.Contains("creator pid 3900 gone"));
    }

    [Fact]
    public void AFleetDatabaseShowsEachHostsOwnNames()
    {
        // Two hosts that name uid 1000 differently, merged into one fleet database.
        var other = ProcCopy.Of("modern", _dir.File("proc-b"));
        File.WriteAllText(Path.Combine(other, "etc/passwd"), "bob-fixture:x:1000:1000::/home/b:/bin/sh\n");
        string Db(string host, string proc)
        {
            var db = _dir.File(host + ".db");
            var run = CliRun.Of("collect", "--db", db, "--proc-root", proc, "--host", host, "--at", "2026-11-21T06:25:00Z", "--quiet");
            Assert.True(run.ExitCode == 0, run.Stderr);
            return db;
        }
        var fleet = _dir.File("fleet.db");
        Assert.Equal(0, CliRun.Of("merge", "--db", fleet, Db("host-a", _proc), Db("host-b", other)).ExitCode);
        foreach (var (host, name) in new[] { ("host-a", "alice-fixture"), ("host-b", "bob-fixture") })
        {
            var show = CliRun.Of("show", "--db", fleet, "--host", host, "--json");
            Assert.True(show.ExitCode == 0, show.Stderr);
            using var doc = JsonDocument.Parse(show.Stdout);
            Assert.Equal(name, S(ById(doc.RootElement, "shm", 0), "owner_name"));
        }
    }
}
