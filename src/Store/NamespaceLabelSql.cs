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

    /// <summary>`merge`: a source's labels (in MergeLabel's parameter order, the context last), for contexts the target has none for (a source before schema 7 has none).</summary>
    public const string SourceLabels = """
        SELECT namespace_label, ns_runtime, ns_container_id, ns_pod_uid, ns_hostname, ns_command, context_id
        FROM contexts WHERE namespace_label IS NOT NULL
        """;

    public const string MergeLabel = """
        UPDATE contexts SET namespace_label = $label, ns_runtime = $runtime, ns_container_id = $container, ns_pod_uid = $pod,
            ns_hostname = $hostname, ns_command = $command
        WHERE context_id = $context AND namespace_label IS NULL
        """;

    public static void Store(Func<string, Statement> prepare, long context, NamespaceLabel label)
    {
        using var update = prepare(Update);
        update.Bind(label.Text, label.Runtime, label.ContainerId, label.PodUid, label.Hostname, label.Command, context).Run();
    }
}
