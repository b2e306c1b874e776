using IpcAudit.Store;
using IpcAudit.Tests.Support;
using Xunit;

namespace IpcAudit.Tests.Fleet;

/// <summary>How ipcaudit's connections to the central store are set up, beyond what Npgsql does by itself.</summary>
public sealed class ServerConnectionTests
{
    /// <summary>
    /// Npgsql connects with the socket non-blocking and .NET then emulates blocking reads with epoll; ours is put
    /// back to blocking in the kernel (BlockingSocket). If an Npgsql upgrade moves the socket out of reach, this
    /// fails instead of the report silently losing the gain.
    /// </summary>
    [PostgresFact]
    public void ReadersAndWritersWaitForTheServerInTheKernel()
    {
        using var pg = new TestPostgres();
        using (var writer = ServerDatabase.OpenForWrite(pg.ConnectionString))
            Assert.True(BlockingSocket.IsBlocking(writer));
        using var reader = ServerDatabase.OpenForRead(pg.ConnectionString);
        Assert.True(BlockingSocket.IsBlocking(reader));
        // And it still reads.
        Assert.Equal(ServerDatabase.Latest, ServerDatabase.Scalar(reader, "SELECT max(version) FROM schema_migrations"));
    }
}
