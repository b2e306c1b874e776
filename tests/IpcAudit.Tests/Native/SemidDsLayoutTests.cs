using System.Buffers.Binary;
using System.Runtime.InteropServices;
using IpcAudit.Collector.Native;
using Xunit;

namespace IpcAudit.Tests.Native;

/// <summary>sem_nsems is where each architecture's semid64_ds puts it, or not read at all.</summary>
public sealed class SemidDsLayoutTests
{
    /// <summary>A filled semid_ds of both layouts at once: 5 at the generic offset, 7 at x86_64's.</summary>
    private static byte[] Buffer()
    {
        var ds = new byte[SemidDsLayout.BufferSize];
        BinaryPrimitives.WriteInt64LittleEndian(ds.AsSpan(48), 1795240412);   // sem_otime, both layouts
        BinaryPrimitives.WriteUInt64LittleEndian(ds.AsSpan(64), 5);
        BinaryPrimitives.WriteUInt64LittleEndian(ds.AsSpan(80), 7);
        return ds;
    }

    [Fact]
    public void X64ReadsNsemsAfterThePaddedTimes() => Assert.Equal(7UL, SemidDsLayout.Nsems(Buffer(), Architecture.X64));

    [Theory]
    [InlineData(Architecture.Arm64)]
    [InlineData(Architecture.RiscV64)]
    [InlineData(Architecture.LoongArch64)]
    public void GenericLayoutReadsNsemsRightAfterTheTimes(Architecture architecture) =>
        Assert.Equal(5UL, SemidDsLayout.Nsems(Buffer(), architecture));

    [Theory]
    [InlineData(Architecture.X86)]
    [InlineData(Architecture.Arm)]
    [InlineData(Architecture.S390x)]
    [InlineData(Architecture.Ppc64le)]
    public void UnknownLayoutIsNotGuessed(Architecture architecture) => Assert.Null(SemidDsLayout.Nsems(Buffer(), architecture));
}
