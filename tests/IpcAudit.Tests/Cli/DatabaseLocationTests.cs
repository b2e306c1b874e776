using IpcAudit.Cli;
using Xunit;

namespace IpcAudit.Tests.Cli;

public sealed class DatabaseLocationTests
{
    private static Func<string, string?> Env(params (string, string)[] vars) =>
        name => vars.FirstOrDefault(v => v.Item1 == name).Item2;

    [Fact]
    public void RootUsesVarLib() =>
        Assert.Equal("/var/lib/ipcaudit/ipcaudit.db", DatabaseLocation.Default(Env(), isRoot: true));

    [Fact]
    public void UserUsesXdgStateHome() =>
        Assert.Equal("/home/a/.state/ipcaudit/ipcaudit.db", DatabaseLocation.Default(Env(("XDG_STATE_HOME", "/home/a/.state")), isRoot: false));

    [Fact]
    public void UserWithoutXdgUsesLocalState() =>
        Assert.Equal("/home/a/.local/state/ipcaudit/ipcaudit.db", DatabaseLocation.Default(Env(("HOME", "/home/a")), isRoot: false));

    [Fact]
    public void EnvironmentOverridesEverything() =>
        Assert.Equal("/srv/x.db", DatabaseLocation.Default(Env(("IPCAUDIT_DB", "/srv/x.db")), isRoot: true));
}
