using IpcAudit.Collector;
using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;
using static IpcAudit.Tests.Support.SyntheticSnapshots;

namespace IpcAudit.Tests.Storage;

/// <summary>Files that are not ours, or not whole, are refused and left exactly as they were.</summary>
public sealed class DatabaseGuardTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertRefusedUntouched(string path, string expected)
    {
        var bytes = File.ReadAllBytes(path);
        var e = Assert.Throws<IpcAuditException>(() =>
        {
            using var store = SnapshotStore.OpenForWrite(path);
            store.Save(() => Build(T0));
        });
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(ExitCodes.BadDatabase, e.ExitCode);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void TextFileIsNotAnIpcAuditDatabase()
    {
        var path = _dir.File("notes.db");
        File.WriteAllText(path, "this is not sqlite at all, just someone's notes\n".PadRight(2048, 'x'));
        AssertRefusedUntouched(path, "not an IpcAudit database");
    }

    [Fact]
    public void OtherApplicationsSqliteFileIsRefused()
    {
        var path = _dir.File("other.db");
        using (var c = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            c.Open();
            IpcAuditDatabase.Execute(c, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a');");
        }
        AssertRefusedUntouched(path, "not an IpcAudit database");
    }

    [Fact]
    public void DatabaseFromANewerSchemaIsRefused()
    {
        var path = _dir.File("newer.db");
        using (var store = SnapshotStore.OpenForWrite(path)) store.Save(() => Build(T0));
        using (var c = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            c.Open();
            IpcAuditDatabase.Execute(c, $"PRAGMA user_version = {Migrations.Latest + 1}; PRAGMA wal_checkpoint(TRUNCATE);");
        }
        AssertRefusedUntouched(path, "newer ipcaudit");
        var e = Assert.Throws<IpcAuditException>(() => SnapshotReader.Open(path));
        Assert.Contains("newer ipcaudit", e.Message);
    }

    [Fact]
    public void CorruptDatabaseIsRefused()
    {
        var path = _dir.File("corrupt.db");
        using (var store = SnapshotStore.OpenForWrite(path))
        {
            store.Save(() => Steady(T0, 200));
            IpcAuditDatabase.Execute(store.Connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        }
        // Overwrite pages past the header: the file still opens, its b-trees do not.
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            f.Position = 4096 * 2;
            f.Write(Enumerable.Repeat((byte)0xA5, 4096 * 3).ToArray());
        }
        var bytes = File.ReadAllBytes(path);
        var e = Assert.Throws<IpcAuditException>(() =>
        {
            using var store = SnapshotStore.OpenForWrite(path);
            store.Save(() => Steady(T0.AddMinutes(5), 200));
        });
        Assert.Contains("corrupt", e.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void UnwritableDirectoryGivesOneLine()
    {
        var e = Assert.Throws<IpcAuditException>(() => SnapshotStore.OpenForWrite("/proc/ipcaudit-test/x.db"));
        Assert.Contains("/proc/ipcaudit-test/x.db", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void ReadingAMissingDatabaseSaysHowToCreateOne()
    {
        var e = Assert.Throws<IpcAuditException>(() => SnapshotReader.Open(_dir.File("none.db")));
        Assert.Contains("ipcaudit collect", e.Message);
        Assert.False(File.Exists(_dir.File("none.db")));
    }
}
