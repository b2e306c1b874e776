using System.Globalization;
using System.Text;

namespace IpcAudit.Collector.Proc;

/// <summary>/proc/PID/stat of a live process for the passes over every process (holders, namespaces), into a reused buffer.</summary>
public static class LiveProcessStat
{
    /// <summary>Null when the process is gone, its stat unreadable or malformed, or it is a zombie (which holds nothing).</summary>
    public static ProcessStat? Read(ProcRoot proc, int pid, ref byte[] buffer)
    {
        var length = ProcFile.TryRead(proc.PathOf(pid.ToString(CultureInfo.InvariantCulture)) + "/stat", ref buffer, out _);
        if (length <= 0) return null;
        ProcessStat stat;
        try { stat = ProcessInfoReader.ParseStat(Encoding.UTF8.GetString(buffer, 0, length), $"{pid}/stat"); }
        catch (ProcFormatException) { return null; }
        return stat.State is 'Z' or 'X' ? null : stat;
    }
}
