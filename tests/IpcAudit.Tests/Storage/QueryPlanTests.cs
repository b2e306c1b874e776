using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Storage;

/// <summary>
/// The writer's per-snapshot lookups must read only current states: a plan that walks every past
/// state made each collect slower as history grew.
/// </summary>
public sealed class QueryPlanTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    public void Dispose() => _dir.Dispose();

    private string Plan(string sql)
    {
        using var store = SnapshotStore.OpenForWrite(_dir.File("plan.db"));
        using var command = store.Connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        command.Parameters.AddWithValue("$context", 1);
        using var r = command.ExecuteReader();
        var lines = new List<string>();
        while (r.Read()) lines.Add(r.GetString(3));
        return string.Join("\n", lines);
    }

    [Theory]
    [InlineData("shm")]
    [InlineData("sem")]
    [InlineData("msg")]
    public void OpenStatesAreFoundThroughThePartialIndex(string kind) =>
        Assert.Contains($"USING INDEX {kind}_states_open", Plan(StoreSql.OpenStates(kind)));

    [Fact]
    public void OpenProcessesAreFoundThroughThePartialIndex() =>
        Assert.Contains("USING INDEX processes_open", Plan(StoreSql.OpenProcesses));
}
