using IpcAudit.Collector.Model;

namespace IpcAudit.Collector.Proc;

/// <summary>/proc/sys/fs/mqueue/*: the POSIX message queue limits of the reader's IPC namespace. A missing file is null.</summary>
public static class MqueueLimitsFile
{
    public static PosixIpc Read(ProcRoot root, PosixIpc into) => into with
    {
        MqQueuesMax = Value(root, "queues_max"), MqMsgMax = Value(root, "msg_max"), MqMsgsizeMax = Value(root, "msgsize_max"),
        MqMsgDefault = Value(root, "msg_default"), MqMsgsizeDefault = Value(root, "msgsize_default"),
    };

    private static long? Value(ProcRoot root, string name)
    {
        var path = "sys/fs/mqueue/" + name;
        return root.ReadText(path) is { } text ? (long)KernelLimitsFile.Parse(text, path, name) : null;
    }
}
