using IpcAudit.Collector;

namespace IpcAudit.Cli;

/// <summary>Options that take names, comma-separated or repeated (`--fail-on orphans,pressure`, `--kind shm --kind sem`).</summary>
internal static class CommaSeparated
{
    /// <summary>The names given, lower-cased; one that is not <paramref name="accepted"/> is bad input naming the option.</summary>
    public static HashSet<string> Parse(IEnumerable<string> values, IReadOnlyList<string> accepted, string option)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            var name = item.ToLowerInvariant();
            if (!accepted.Contains(name))
                throw new IpcAuditException($"{option}: '{item}' is not one of {string.Join(", ", accepted)} (comma-separated)", ExitCodes.BadInput);
            set.Add(name);
        }
        return set;
    }
}
