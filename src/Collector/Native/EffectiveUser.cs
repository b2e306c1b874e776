using System.Runtime.InteropServices;

namespace IpcAudit.Collector.Native;

/// <summary>The effective uid of this process: who `reap` records as having removed an object.</summary>
public static partial class EffectiveUser
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    public static uint Uid => GetEuid();
}
