using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace IpcAudit.Collector.Native;

/// <summary>
/// Where semctl(IPC_STAT) puts sem_nsems, which differs by architecture. After the 48-byte ipc64_perm:
/// x86_64 (arch/x86/include/uapi/asm/sembuf.h) pads each time with an unused long, so nsems is at 80;
/// the generic layout (include/uapi/asm-generic/sembuf.h; arm64, riscv64, loongarch64) has the two
/// times back to back, so nsems is at 64. Other architectures have layouts of their own (ppc64, s390x,
/// 32-bit ones): there nsems is not read and the values are unknown rather than guessed.
/// </summary>
public static class SemidDsLayout
{
    /// <summary>Room for either layout (x86_64: 104 bytes, generic 64-bit: 88).</summary>
    public const int BufferSize = 128;

    public static int? NsemsOffset(Architecture architecture) => architecture switch
    {
        Architecture.X64 => 80,
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 64,
        _ => null,
    };

    /// <summary>sem_nsems from a filled semid_ds; null on an architecture whose layout we do not know.</summary>
    public static ulong? Nsems(ReadOnlySpan<byte> semidDs, Architecture architecture) =>
        NsemsOffset(architecture) is { } offset ? BinaryPrimitives.ReadUInt64LittleEndian(semidDs[offset..]) : null;
}
