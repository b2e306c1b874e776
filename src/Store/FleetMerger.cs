using IpcAudit.Collector;

namespace IpcAudit.Store;

/// <summary>
/// Copies another database's history into this one. Everything is matched on natural keys
/// (snapshot uid, context key, object identity, state valid_from), so merging the same source
/// twice adds nothing, and merging a source that has grown since only adds and extends.
/// One source is one transaction.
/// </summary>
public static class FleetMerger
{
    /// <param name="cancel">Stops the copy at the next row or statement; the source's transaction rolls back.</param>
    public static MergeResult Merge(SnapshotStore target, string sourcePath, CancellationToken cancel = default)
    {
        var source = Path.GetFullPath(sourcePath);
        if (source == target.Path)
            throw new IpcAuditException($"{source}: cannot merge a database into itself", ExitCodes.BadInput);
        using var reader = SnapshotReader.Open(source);
        using var interrupt = cancel.InterruptOn(target.Connection);
        return target.Run(tx => new SnapshotCopy(reader.Connection, target.Connection, tx, source, cancel).Run(_ => null));
    }
}
