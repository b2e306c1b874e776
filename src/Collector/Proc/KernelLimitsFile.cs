using System.Globalization;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// The IPC sysctls under /proc/sys/kernel (`ipcs -l`). Values are ulong: shmall and shmmax default
/// to 18446744073692774399 on 64-bit kernels. A missing file leaves that limit null
/// (shm_rmid_forced appeared in 3.1), it is not an error.
/// </summary>
public static class KernelLimitsFile
{
    public const string SemPath = "sys/kernel/sem";

    /// <summary>Never null: limits that could not be found are null one by one.</summary>
    public static IpcLimits Read(ProcRoot root)
    {
        var sem = root.ReadText(SemPath) is { } text ? ParseSem(text, SemPath) : new IpcLimits();
        return sem with
        {
            Shmmax = ReadValue(root, "shmmax"),
            Shmall = ReadValue(root, "shmall"),
            Shmmni = ReadValue(root, "shmmni"),
            ShmRmidForced = ReadValue(root, "shm_rmid_forced"),
            Msgmax = ReadValue(root, "msgmax"),
            Msgmnb = ReadValue(root, "msgmnb"),
            Msgmni = ReadValue(root, "msgmni"),
        };
    }

    /// <summary>A one-value sysctl file such as sys/kernel/shmall; <paramref name="field"/> names it in errors.</summary>
    public static ulong Parse(string text, string fileName, string field)
    {
        var value = text.AsSpan().Trim();
        // Decimal digits only, as the kernel prints them: .NET's parser would also take trailing NULs.
        return !value.IsEmpty && !value.ContainsAnyExceptInRange('0', '9')
               && ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new ProcFormatException(fileName, 1, field, $"not a number: '{(value.Length <= 40 ? value : string.Concat(value[..40], "…"))}'");
    }

    /// <summary>sys/kernel/sem: "SEMMSL SEMMNS SEMOPM SEMMNI", tab separated; only the Sem* limits are set.</summary>
    public static IpcLimits ParseSem(string text, string fileName)
    {
        ReadOnlySpan<string> names = ["semmsl", "semmns", "semopm", "semmni"];
        var line = text.AsSpan().Trim();
        Span<Range> parts = stackalloc Range[names.Length + 1];
        var count = line.SplitAny(parts, " \t", StringSplitOptions.RemoveEmptyEntries);
        if (count != names.Length)
            throw new ProcFormatException(fileName, 1, "sem", $"expected 4 values (SEMMSL SEMMNS SEMOPM SEMMNI), found '{(line.Length <= 60 ? line : string.Concat(line[..60], "…"))}'");
        Span<ulong> v = stackalloc ulong[names.Length];
        for (var i = 0; i < names.Length; i++)
            v[i] = Parse(line[parts[i]].ToString(), fileName, names[i]);
        return new IpcLimits { Semmsl = v[0], Semmns = v[1], Semopm = v[2], Semmni = v[3] };
    }

    private static ulong? ReadValue(ProcRoot root, string name)
    {
        var path = "sys/kernel/" + name;
        return root.ReadText(path) is { } text ? Parse(text, path, name) : null;
    }
}
