namespace IpcAudit.Store;

/// <summary>
/// A stable 64-bit FNV-1a hash of an object's state. The writer compares it with the open state's
/// to decide "unchanged, write nothing" without loading every column back. HashCode is not used:
/// it is seeded per process, and fingerprints live in the database.
/// </summary>
internal struct StateFingerprint
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;
    private ulong _hash;

    public static StateFingerprint Start() => new() { _hash = Offset };

    public StateFingerprint Add(long value)
    {
        var v = unchecked((ulong)value);
        for (var i = 0; i < 8; i++, v >>= 8)
            _hash = unchecked((_hash ^ (v & 0xFF)) * Prime);
        return this;
    }

    /// <summary>Null and every value hash differently (a marker byte precedes values).</summary>
    public StateFingerprint Add(long? value) => value is { } v ? Add(1).Add(v) : Add(0);

    public StateFingerprint Add(string? value)
    {
        if (value is null) return Add(0);
        Add(value.Length + 1);
        foreach (var c in value) Add(c);
        return this;
    }

    public readonly long Value => unchecked((long)_hash);
}
