using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Npgsql;
using Npgsql.Internal;

// NpgsqlConnector is Npgsql's experimental surface: if it changes, Apply finds nothing and leaves the socket alone.
#pragma warning disable NPG9001

namespace IpcAudit.Store;

/// <summary>
/// Puts an open Npgsql connection's socket back into blocking mode in the kernel. Npgsql connects with the
/// socket non-blocking (that is how a synchronous connect is timed out) and then sets Socket.Blocking back;
/// .NET on Linux keeps the descriptor non-blocking after that and emulates every blocking read that has to
/// wait: an epoll registration, a wake-up of its event thread, then a wake-up of the reading thread. A report
/// over a fleet waits on the server tens of thousands of times, and those wake-ups took a tenth of its CPU.
/// A blocking recv(2) waits in the kernel instead.
/// </summary>
internal static partial class BlockingSocket
{
    private const int GetFlags = 3, SetFlags = 4;
    // O_NONBLOCK: 04000 on x86-64 and arm64 alike (asm-generic).
    private const int NonBlocking = 0x800;

    /// <summary>Best effort: leaves the socket as it is when Npgsql's internals are not what this expects.</summary>
    public static void Apply(NpgsqlConnection connection)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (ConnectorOf(connection) is not { } connector || SocketOf(connector) is not { } socket) return;
            var fd = (int)socket.SafeHandle.DangerousGetHandle();
            var flags = Fcntl(fd, GetFlags, 0);
            if (flags >= 0 && (flags & NonBlocking) != 0) Fcntl(fd, SetFlags, flags & ~NonBlocking);
        }
        catch (Exception e) when (e is MissingMemberException or ObjectDisposedException) { }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_Connector")]
    private static extern NpgsqlConnector? ConnectorOf(NpgsqlConnection connection);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_socket")]
    private static extern ref Socket SocketOf(NpgsqlConnector connector);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
