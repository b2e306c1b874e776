using System.Globalization;
using System.Text;

namespace IpcAudit.Tests.Support;

/// <summary>
/// Writes a synthetic /proc tree with many objects, in the kernel's own column layout, for tests
/// that need collection to take a while or a snapshot to be large.
/// </summary>
public static class ProcTreeBuilder
{
    public static string Create(string root, int perKind, int firstCtime = 1795240000)
    {
        var sysvipc = Directory.CreateDirectory(Path.Combine(root, "sysvipc")).FullName;
        var kernel = Directory.CreateDirectory(Path.Combine(root, "sys", "kernel", "random")).Parent!.FullName;
        var inv = CultureInfo.InvariantCulture;
        var shm = new StringBuilder("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
        var sem = new StringBuilder("       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
        var msg = new StringBuilder("       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n");
        for (var i = 0; i < perKind; i++)
        {
            shm.AppendLine(string.Format(inv, "{0,10} {1,10}  {2,4} {3,21} {4,5} {5,5} {6,5} {7,5} {8,5} {9,5} {10,5} {11,10} {12,10} {13,10} {14,21} {15,21}",
                1000 + i, i, 600, 65536 + i, 100 + i, 0, 0, 1000, 1000, 1000, 1000, 0, 0, firstCtime + i, 0, 0));
            sem.AppendLine(string.Format(inv, "{0,10} {1,10}  {2,4} {3,10} {4,5} {5,5} {6,5} {7,5} {8,10} {9,10}",
                2000 + i, i, 600, 1 + i % 8, 0, 0, 0, 0, 0, firstCtime + i));
            msg.AppendLine(string.Format(inv, "{0,10} {1,10}  {2,4} {3,10} {4,10} {5,5} {6,5} {7,5} {8,5} {9,5} {10,5} {11,10} {12,10} {13,10}",
                3000 + i, i, 600, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, firstCtime + i));
        }
        File.WriteAllText(Path.Combine(sysvipc, "shm"), shm.ToString());
        File.WriteAllText(Path.Combine(sysvipc, "sem"), sem.ToString());
        File.WriteAllText(Path.Combine(sysvipc, "msg"), msg.ToString());
        foreach (var (name, value) in new[] { ("hostname", "bigtree"), ("osrelease", "6.18.0"), ("shmmni", "32768"), ("shmall", "18446744073692774399"),
                     ("shmmax", "18446744073692774399"), ("msgmni", "32000"), ("msgmax", "8192"), ("msgmnb", "16384"), ("sem", "32000\t1024000000\t500\t32000") })
            File.WriteAllText(Path.Combine(kernel, name), value + "\n");
        File.WriteAllText(Path.Combine(kernel, "random", "boot_id"), "0b6c2f43-5d41-4f3e-9d0a-000000000001\n");
        File.WriteAllText(Path.Combine(root, "stat"), "cpu  1 2 3 4\nbtime 1795200000\n");
        return root;
    }
}
