using System.Globalization;
using System.Text.Json;
using IpcAudit.Collector.Attribution;
using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Output;

/// <summary>
/// `ipcaudit show [SNAPSHOT] --object KIND:NAME`: one POSIX object as the snapshot holds it (owner, sizes,
/// value or messages, holders named), what it is for and why (the Applications evidence), and its stored
/// history in its boot up to the snapshot: each state with when it began and ended.
/// </summary>
public static class PosixObjectShow
{
    public static void Text(TextWriter o, Snapshot s, long snapshotId, PosixObjectHistory h, LocalTime times)
    {
        string Time(DateTimeOffset? t) => times.Format(t, "never");
        var procs = s.Processes.ToDictionary(p => p.Pid);
        var who = new SnapshotAttribution(s);
        string Owner(uint uid) => who.UserName(uid) is { } n ? $"{TerminalText.Clean(n)} ({uid})" : uid.ToString(CultureInfo.InvariantCulture);
        string Group(uint gid) => who.GroupName(gid) is { } n ? $"{TerminalText.Clean(n)} ({gid})" : gid.ToString(CultureInfo.InvariantCulture);
        static string Num(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "?";
        var now = h.States[^1];

        o.WriteLine($"{h.Kind} {TerminalText.Clean(h.Name)}  {TerminalText.Clean(PosixKinds.PathOf(h.Kind, h.Name))}  snapshot {snapshotId}  host {TerminalText.Clean(s.Host.Host)}  taken {times.Format(s.TakenAt)}");
        if (now.File is { } f)
        {
            o.WriteLine($"owner {Owner(f.Uid)}  group {Group(f.Gid)}  perms {IpcMode.Perms(f.Mode)}  bytes {f.Bytes}  allocated {f.AllocatedBytes}{(f.IsSemaphore ? $"  value {Num(f.Value)}" : "")}{(f.Deleted ? "  deleted (still mapped)" : "")}");
            o.WriteLine($"mtime {Time(f.Mtime)}  ctime {Time(f.Ctime)}");
            o.WriteLine($"mapped by {SnapshotText.Pids(f.MappedPids, procs)}  open in {SnapshotText.Pids(f.OpenPids, procs)}");
        }
        else if (now.Queue is { } q)
        {
            o.WriteLine($"owner {Owner(q.Uid)}  group {Group(q.Gid)}  perms {IpcMode.Perms(q.Mode)}  messages {Num(q.Messages)} of {Num(q.MaxMessages)} (max {Num(q.MessageSize)} bytes each)  queued bytes {Num(q.QsizeBytes)}");
            o.WriteLine($"mtime {Time(q.Mtime)}  notify {(q.NotifyPid is { } n ? SnapshotText.Pid(n, procs) : "?")}");
            o.WriteLine($"open in {SnapshotText.Pids(q.OpenPids, procs)}");
        }
        o.WriteLine(Evidence(now, who) is { } evidence ? TerminalText.Clean(evidence) : "application: unknown (no holder at this snapshot names one)");
        o.WriteLine($"first seen {Time(h.FirstSeen)}; {(h.RemovedAt is { } r ? "gone at " + Time(r) : "present at the last snapshot")}");

        o.WriteLine();
        o.WriteLine("------ History (stored states in this boot, up to the snapshot) --------");
        var queue = h.Kind == PosixKinds.Mq;
        o.WriteLine(queue
            ? $"{"from",-23} {"to",-23} {"owner",-8} {"perms",-5} {"messages",8} {"qsize-bytes",11} {"notify",-12} open"
            : $"{"from",-23} {"to",-23} {"owner",-8} {"perms",-5} {"bytes",12} {"allocated",12} {"value",6} {"mapped",-20} open");
        foreach (var st in h.States)
        {
            var to = st.To is { } t ? Time(t) : "current";
            if (st.Queue is { } sq)
                o.WriteLine($"{Time(st.From),-23} {to,-23} {sq.Uid,-8} {IpcMode.Perms(sq.Mode),-5} {Num(sq.Messages),8} {Num(sq.QsizeBytes),11} {Num(sq.NotifyPid),-12} {SnapshotText.Pids(sq.OpenPids, procs)}");
            else if (st.File is { } sf)
                o.WriteLine($"{Time(st.From),-23} {to,-23} {sf.Uid,-8} {IpcMode.Perms(sf.Mode),-5} {sf.Bytes,12} {sf.AllocatedBytes,12} {(sf.IsSemaphore ? Num(sf.Value) : "-"),6} {SnapshotText.Pids(sf.MappedPids, procs),-20} {SnapshotText.Pids(sf.OpenPids, procs)}");
        }
    }

    public static void Json(TextWriter writer, Snapshot s, long snapshotId, PosixObjectHistory h) => TypedJson.Write(writer, w =>
    {
        var who = new SnapshotAttribution(s);
        var now = h.States[^1];
        w.WriteStartObject();
        w.WriteNumber("snapshot_id", snapshotId);
        w.WriteString("host", s.Host.Host);
        w.WriteTime("taken_at", s.TakenAt);
        w.WriteString("kind", h.Kind);
        w.WriteString("name", h.Name);
        w.WriteString("path", PosixKinds.PathOf(h.Kind, h.Name));
        w.WritePropertyName("object");
        Fields(w, now);
        var (application, evidence) = Attribution(now, who);
        if (application is null) w.WriteNull("application"); else w.WriteString("application", application);
        if (evidence is null) w.WriteNull("evidence"); else w.WriteString("evidence", evidence);
        w.WriteTime("first_seen", h.FirstSeen);
        w.WriteTime("removed_at", h.RemovedAt);
        w.WriteStartArray("history");
        foreach (var st in h.States)
        {
            w.WriteStartObject();
            w.WriteTime("from", st.From);
            w.WriteTime("to", st.To);
            w.WritePropertyName("state");
            Fields(w, st);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void Fields(Utf8JsonWriter w, PosixObjectState st)
    {
        w.WriteStartObject();
        if (st.File is { } f) PosixJson.FileFields(w, f);
        else if (st.Queue is { } q) PosixJson.QueueFields(w, q);
        w.WriteEndObject();
    }

    private static string? Evidence(PosixObjectState st, SnapshotAttribution who) => Attribution(st, who).Evidence;

    private static (string? Application, string? Evidence) Attribution(PosixObjectState st, SnapshotAttribution who)
    {
        var (kind, mapped, open) = st.File is { } f ? (f.Kind, f.MappedPids, f.OpenPids) : (PosixKinds.Mq, null, st.Queue!.OpenPids);
        var (application, evidence, _) = who.Of(kind, 0, PosixText.Users(mapped, open));
        return (application, evidence);
    }
}
