using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Attribution;

/// <summary>
/// An object's `application` label: what a key scheme says (<see cref="KeySchemes"/>), else the systemd
/// unit of its creator or users, else their command (the executable's name, else comm). Login session
/// scopes (session-N.scope) and init.scope name no service and are passed over.
/// </summary>
public static class ApplicationLabel
{
    /// <summary>
    /// The label and the evidence line: a key scheme's program, else the first service unit of the
    /// object's processes (creator first), else the first command (executable name, else comm).
    /// </summary>
    public static (string? Application, string? Evidence) Of(string kind, uint key, IReadOnlyList<ObjectProcess> processes,
        IEnumerable<KeyCandidate> candidates)
    {
        if (KeySchemes.Match(kind, key, candidates) is { } match) return (match.Application, "application: " + match.Evidence);
        foreach (var p in processes)
            if (ServiceUnit(p.Unit) is { } unit) return (unit, $"application: {unit}, the systemd unit of its {p.Role} pid {p.Pid}");
        foreach (var p in processes)
            if ((ExeName(p.Exe) ?? p.Comm) is { Length: > 0 } command)
                return (command, $"application: {command}, the command of its {p.Role} pid {p.Pid}");
        return (null, null);
    }

    /// <summary>A unit that names a service; null for none, a login session's scope or init.scope.</summary>
    public static string? ServiceUnit(string? unit) =>
        unit is null || unit == "init.scope" || (unit.StartsWith("session-", StringComparison.Ordinal) && unit.EndsWith(".scope", StringComparison.Ordinal))
            ? null
            : unit;

    /// <summary>The program's file name: the executable's last component without the kernel's " (deleted)".</summary>
    public static string? ExeName(string? exe) =>
        exe is { Length: > 0 } e ? Path.GetFileName(e.EndsWith(" (deleted)", StringComparison.Ordinal) ? e[..^10] : e) : null;
}
