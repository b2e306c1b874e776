using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>
/// The names of the uids and gids a snapshot uses, from the collected host's own /etc/passwd and
/// /etc/group (read directly, like <see cref="PasswdFile"/>, not through NSS: a fleet database must
/// show each host's names, not the reviewer's). A missing file gives no names (unknown, not a failure);
/// one that cannot be read fails the step; an id the file lacks is recorded with a null name.
/// </summary>
public sealed class AccountNamesReader(string etcDirectory)
{
    public (List<AccountName> Names, List<string> Missing, List<string> Unreadable) Read(IEnumerable<uint> uids, IEnumerable<uint> gids)
    {
        var names = new List<AccountName>();
        var missing = new List<string>();
        var unreadable = new List<string>();
        Add(AccountName.User, "passwd", uids);
        Add(AccountName.Group, "group", gids);
        return (names, missing, unreadable);

        void Add(string kind, string file, IEnumerable<uint> ids)
        {
            var path = Path.Combine(etcDirectory, file);
            IReadOnlyDictionary<uint, string> byId;
            try
            {
                // No file at all (a saved /proc copy without etc/, a minimal container): names unknown, nothing failed.
                if (ProcFile.ReadText(path) is not { } text) { missing.Add(path); return; }
                byId = PasswdFile.ParseNamesById(text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                unreadable.Add(path);
                return;
            }
            foreach (var id in ids.Distinct().Order())
                names.Add(new AccountName(kind, id, byId.TryGetValue(id, out var name) ? name : null));
        }
    }
}
