using IpcAudit.Collector.Attribution;
using IpcAudit.Collector.Model;
using IpcAudit.Report.Analysis.Verdicts;
using IpcAudit.Report.History;
using IpcAudit.Report.Model;

namespace IpcAudit.Report.Analysis.Attribution;

/// <summary>Who an object belongs to: the owner's name, an application label with the line that says why, and its processes.</summary>
public sealed record Attributed(string? OwnerName, string? Application, string? Evidence, IReadOnlyList<ObjectProcess> Processes);

/// <summary>
/// Names an object's owner, program and processes from what the history recorded (README "Attribution");
/// the label itself is <see cref="ApplicationLabel"/>'s.
/// </summary>
public static class ObjectAttribution
{
    public static Attributed Of(ObjectUse u)
    {
        var context = u.Context;
        var spans = context.Processes;
        var livenessKnown = context.Window.ProcessesOk[^1];
        var processes = new List<ObjectProcess>();
        var found = new List<ProcessSpan>();
        var seen = new HashSet<(int, string)>();
        foreach (var use in u.Users)
        {
            var role = use.Role == ObjectUsers.SemaphorePid ? ObjectUsers.LastUser : use.Role;
            if (!seen.Add((use.Pid, role))) continue;
            if (spans.Operator(use.Pid, use.OpTime) is { } p)
            {
                found.Add(p);
                bool? alive = livenessKnown ? spans.Alive(p, u.End) : null;
                processes.Add(new ObjectProcess(p.Pid, role, alive, p.Comm, p.Cmdline, p.Details?.Exe, p.Details?.Unit));
            }
            else if (context.Attribution.Gone(use.Pid, use.OpTime) is { } g)
                processes.Add(new ObjectProcess(use.Pid, role, false, g.Comm, null, null, g.Unit));
            else
                // Never seen alive, and no record of it gone (history before schema 6): it is dead when liveness was read.
                processes.Add(new ObjectProcess(use.Pid, role, livenessKnown ? false : null, null, null, null, null));
        }

        var candidates = found.Concat(spans.All).Where(p => p.Details is not null).Select(p => p.Details!.Candidate(p.Pid, p.Comm));
        var (application, evidence) = ApplicationLabel.Of(u.Kind, u.Key, processes, candidates);
        return new Attributed(context.Attribution.UserName(u.Uid), application, evidence, processes);
    }
}
