using IpcAudit.Collector.Model;

namespace IpcAudit.Store;

/// <summary>A context's IPC namespace label (schema 7): refreshed at every snapshot that carries one.</summary>
internal static class NamespaceLabelSql
{
    public const string Update = """
        UPDATE contexts SET namespace_label = $label, ns_runtime = $runtime, ns_container_id = $container, ns_pod_uid = $pod,
            ns_hostname = $hostname, ns_command = $command
        WHERE context_id = $context
        """;

    public static void Store(Func<string, Statement> prepare, long context, NamespaceLabel label)
    {
        using var update = prepare(Update);
        update.Bind(label.Text, label.Runtime, label.ContainerId, label.PodUid, label.Hostname, label.Command, context).Run();
    }
}
