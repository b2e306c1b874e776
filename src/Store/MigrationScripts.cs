using System.Globalization;

namespace IpcAudit.Store;

/// <summary>
/// The numbered scripts of one engine, embedded from schema/ (SQLite) or schema/postgresql/: NNNN_name.sql,
/// sorted by number. Adding a migration, or its PostgreSQL twin, is adding one file.
/// </summary>
internal sealed class MigrationScripts
{
    private const string Suffix = ".sql";
    private readonly string _prefix;
    private readonly List<string> _resources = [];

    public MigrationScripts(string prefix)
    {
        _prefix = prefix;
        foreach (var resource in typeof(MigrationScripts).Assembly.GetManifestResourceNames())
            // NNNN_name.sql only: schema/postgresql/least-privilege.sql is the administrator's, not a migration.
            if (resource.StartsWith(prefix, StringComparison.Ordinal) && resource.EndsWith(Suffix, StringComparison.Ordinal)
                && resource.IndexOf('/', prefix.Length) < 0 && resource.Length > prefix.Length && char.IsAsciiDigit(resource[prefix.Length]))
                _resources.Add(resource);
        if (_resources.Count == 0) throw new InvalidOperationException($"no {prefix}*.sql embedded");
        _resources.Sort((a, b) => VersionOf(a).CompareTo(VersionOf(b)));
    }

    public int Latest => VersionOf(_resources[^1]);

    /// <summary>Version and name ("0002_process_families") of every script after <paramref name="current"/>.</summary>
    public IEnumerable<(int Version, string Name)> After(long current) =>
        _resources.Where(r => VersionOf(r) > current).Select(r => (VersionOf(r), r[_prefix.Length..^Suffix.Length]));

    public string Read(int version)
    {
        var resource = _resources.Single(r => VersionOf(r) == version);
        using var stream = typeof(MigrationScripts).Assembly.GetManifestResourceStream(resource)!;
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>"schema/0001_initial.sql" → 1.</summary>
    private int VersionOf(string resource) =>
        int.Parse(resource.AsSpan(_prefix.Length, resource.IndexOf('_', _prefix.Length) - _prefix.Length), CultureInfo.InvariantCulture);
}
