namespace IpcAudit.Report.History;

/// <summary>
/// One context (host + boot + IPC namespace) as far as the window sees it. Ids and keys mean
/// nothing outside it, and a reboot starts a new one.
/// </summary>
public sealed class ContextWindow
{
    public required long ContextId { get; init; }
    public required string Host { get; init; }
    public string? BootId { get; init; }
    public long? IpcNamespace { get; init; }
    public required int PageSize { get; init; }
    /// <summary>SYS_UID_MAX of the host's login.defs as collected; null when unknown.</summary>
    public long? SysUidMax { get; init; }
    /// <summary>What its IPC namespace is ("host", "docker:3f2a1b9c0d1e"; schema 7); null when not recorded.</summary>
    public string? NamespaceLabel { get; init; }
    /// <summary>This context's snapshots inside the window; never empty.</summary>
    public required SnapshotTimeline Window { get; init; }
    /// <summary>
    /// Every process span of the context, read by <see cref="WindowHistory.ReadDetails"/> on the connection
    /// of the reader that reads the context.
    /// </summary>
    public ProcessSpans Processes
    {
        get => _processes ?? throw new InvalidOperationException($"context {ContextId}: processes not read yet (WindowHistory.ReadDetails)");
        internal set => _processes = value;
    }
    private ProcessSpans? _processes;
    internal bool HasDetails => _processes is not null;

    /// <summary>Account names at the window's end and pids found already gone (schema 6); read with the processes.</summary>
    public ContextAttribution Attribution { get; internal set; } = ContextAttribution.Empty;

    public long WindowStart => Window.Times[0];
    public long WindowEnd => Window.Times[^1];
}

/// <summary>
/// The contexts of one host and IPC namespace, one boot after another: the unit every section
/// reports on. Labelled with the host name, plus the namespace when the host was collected from
/// more than one non-initial namespace.
/// </summary>
public sealed class HistoryUnit
{
    /// <summary>The inode of the initial IPC namespace (PROC_IPC_INIT_INO): the same on every boot.</summary>
    public const long InitialIpcNamespace = 4026531839;

    public required string Host { get; init; }
    public long? IpcNamespace { get; init; }
    public required string Label { get; init; }
    /// <summary>The namespace's own label, as its latest context recorded it; "host" for the initial namespace.</summary>
    public string? NamespaceLabel { get; init; }
    /// <summary>In time order; each has at least one snapshot in the window.</summary>
    public required IReadOnlyList<ContextWindow> Contexts { get; init; }
    /// <summary>The last context runs on the host's latest boot: its objects still exist.</summary>
    public required bool Current { get; init; }

    public long WindowStart => Contexts[0].WindowStart;
    public long WindowEnd => Contexts[^1].WindowEnd;
    public int SnapshotCount => Contexts.Sum(c => c.Window.Count);
}
