namespace IpcAudit.Collector.Model;

/// <summary>
/// What an IPC namespace is, for people: <see cref="Text"/> is what reports print beside the host
/// ("host", "docker:3f2a1b9c0d1e", "kubernetes pod:UID", "lxc:web1", "uts:build-7", "cmd:postgres"), the
/// rest the evidence it was made from, each null when unknown.
/// </summary>
public sealed record NamespaceLabel(string Text, string? Runtime = null, string? ContainerId = null, string? PodUid = null,
    string? Hostname = null, string? Command = null)
{
    public const string Host = "host";
}
