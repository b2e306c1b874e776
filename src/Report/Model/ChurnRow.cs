namespace IpcAudit.Report.Model;

/// <summary>
/// Per host and kind: objects created and removed in the window, and those that vanished while a
/// pid that used them was still alive — the signature of systemd-logind's RemoveIPC=yes.
/// </summary>
public sealed record ChurnRow
{
    public required string Host { get; init; }
    public required string Kind { get; init; }
    public required long Created { get; init; }
    public required long Removed { get; init; }
    public required long VanishedWhileUsed { get; init; }
}
