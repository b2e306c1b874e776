using System.Globalization;

namespace IpcAudit.Collector.Attribution;

/// <summary>A key scheme that names an object's program and file: the label and the evidence line saying why.</summary>
public sealed record KeyMatch(string Application, string Evidence);

/// <summary>
/// System V keys that say who made them, matched against the files recorded processes ran in and from:
/// <list type="bullet">
/// <item>PostgreSQL 12 and later key their main shared memory segment by the inode of the data
/// directory (src/backend/port/sysv_shmem.c, PGSharedMemoryCreate: <c>NextShmemSegID = statbuf.st_ino</c>
/// after <c>stat(DataDir)</c>), and the postmaster runs in that directory. Verified on this project's
/// machine with PostgreSQL 15: initdb + pg_ctl start, `ipcs -m` key 0x00b200a9 = `stat -c %i PGDATA` 11665577.</item>
/// <item>ftok(path, id) as glibc builds it (sysvipc/ftok.c):
/// <c>key = (st.st_ino &amp; 0xffff) | ((st.st_dev &amp; 0xff) &lt;&lt; 16) | ((proj_id &amp; 0xff) &lt;&lt; 24)</c>:
/// matched when a process's working directory or executable has that inode's low 16 bits and that
/// device's low byte. A key with id byte 0 is not read as ftok (proj_id 0 is undefined, and keys like
/// PostgreSQL's would match by chance).</item>
/// </list>
/// SAP (cleanipc) and Oracle (sysresv) key ranges are not matched: their documentation that the search
/// found does not state a key scheme to cite.
/// </summary>
public static class KeySchemes
{
    public const string PostgreSql = "postgresql";

    /// <param name="candidates">The object's own processes first, then every other recorded process of its context.</param>
    public static KeyMatch? Match(string kind, uint key, IEnumerable<KeyCandidate> candidates)
    {
        if (key == 0) return null;
        KeyMatch? ftok = null;
        foreach (var p in candidates)
        {
            if (kind == "shm" && p.Cwd is { } cwd && p.CwdIno is { } ino && (ulong)ino == key)
                return new KeyMatch(PostgreSql,
                    $"key {Hex(key)} is the inode of {cwd}, the working directory of {p.Who}: PostgreSQL 12+ keys its main segment by its data directory's inode");
            if (ftok is not null || key >> 24 == 0) continue;
            if (Ftok(key, p.CwdDev, p.CwdIno) && p.Cwd is { } dir)
                ftok = new KeyMatch(p.Label, $"key {Hex(key)} is ftok(\"{dir}\", {key >> 24}), the working directory of {p.Who}");
            else if (Ftok(key, p.ExeDev, p.ExeIno) && p.Exe is { } exe)
                ftok = new KeyMatch(p.Label, $"key {Hex(key)} is ftok(\"{exe}\", {key >> 24}), the executable of {p.Who}");
        }
        return ftok;
    }

    /// <summary>Whether glibc's ftok of a file with this device and inode gives <paramref name="key"/> for some id.</summary>
    public static bool Ftok(uint key, long? dev, long? ino) =>
        dev is { } d && ino is { } i && (key & 0xffff) == (ulong)(i & 0xffff) && ((key >> 16) & 0xff) == (ulong)(d & 0xff);

    private static string Hex(uint key) => Model.IpcMode.FormatKey(key);
}

/// <summary>A recorded process as the key schemes see it: the files it ran in and from, and what to call it.</summary>
public sealed record KeyCandidate(int Pid, string? Comm, string? Exe, long? ExeDev, long? ExeIno, string? Cwd, long? CwdDev, long? CwdIno, string? Unit)
{
    public string Who => $"pid {Pid.ToString(CultureInfo.InvariantCulture)}{(Comm is { } c ? $" ({c})" : "")}";

    /// <summary>The program: its unit when it names a service, else its executable's name, else comm.</summary>
    public string Label => ApplicationLabel.ServiceUnit(Unit) ?? ApplicationLabel.ExeName(Exe) ?? Comm ?? $"pid {Pid.ToString(CultureInfo.InvariantCulture)}";
}
