using System.Runtime.CompilerServices;
using IpcAudit.Cli.Commands;

namespace IpcAudit.Tests.Support;

/// <summary>
/// As root `collect` enters every IPC namespace in use; on a shared test machine those are other
/// people's containers and test runs. Every collect the tests start, in process or as a child, is
/// pinned to its own namespace unless a test says otherwise (NamespaceKernelTests, in a PID namespace
/// of its own, passes --namespaces and clears this).
/// </summary>
internal static class SelfNamespaceOnly
{
    [ModuleInitializer]
    internal static void Pin() => Environment.SetEnvironmentVariable(CollectHandler.NamespacesVariable, "self");
}
