namespace IpcAudit.Collector.Model;

/// <summary>A uid or gid and its name as the collected host's /etc/passwd or /etc/group gave it; Name null when it has no entry.</summary>
public sealed record AccountName(string Kind, uint Id, string? Name)
{
    public const string User = "user", Group = "group";
}
