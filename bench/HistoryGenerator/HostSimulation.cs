using IpcAudit.Collector.Model;
using Semaphore = IpcAudit.Collector.Model.Semaphore;

namespace IpcAudit.Bench.HistoryGenerator;

/// <summary>
/// One simulated host: services that own IPC objects and restart now and then, ordinary objects that
/// churn, and the failure patterns the report must find — an Apache-style semaphore leak (a new
/// private one-semaphore array per restart, the old one left behind), HPC jobs leaving big unattached
/// segments, a queue filling up after its reader died — and one reboot that wipes everything.
/// </summary>
internal sealed class HostSimulation
{
    private const long Day = 86_400_000, Hour = 3_600_000, Minute = 60_000;
    private const int PageSize = 4096;
    private const ulong QueueCapacity = 16384;

    private readonly string _name;
    private readonly GeneratorOptions _options;
    private readonly Random _rng;
    private readonly long _rebootAt;
    private readonly long _interval;
    private readonly IpcLimits _limits = new()
    {
        Shmmax = 18446744073692774399, Shmall = 18446744073692774399, Shmmni = 4096, ShmRmidForced = 0,
        Semmsl = 32000, Semmns = 1024000000, Semopm = 500, Semmni = 1024, Msgmax = 8192, Msgmnb = QueueCapacity, Msgmni = 32000,
    };

    private int _boot;
    private bool _rebooted;
    private int _nextPid = 1200;
    private int _nextShm, _nextSem, _nextMsg;
    private double _churnDue;
    private long _nextJobAt;
    private long _readerDiesAt;
    private const uint RemoveIpcUid = 1003;
    private readonly long _removeIpcAt;
    private bool _removeIpcDone;
    private int[] _previouslyReferenced = [];

    private readonly List<Service> _services = [];
    private readonly List<Sim<ShmSegment>> _shm = [];
    private readonly List<Sim<SemArray>> _sem = [];
    private readonly List<Sim<MsgQueue>> _msg = [];
    private readonly List<(Proc Job, Sim<ShmSegment> Segment, long EndsAt)> _jobs = [];
    private readonly Service _apache, _telemetry;
    private Proc _reader = null!;
    private Sim<MsgQueue>? _backlog;

    private sealed class Proc(int pid, long start, string comm, string cmdline, uint uid)
    {
        public int Pid { get; } = pid;
        public long Start { get; } = start;
        public string Comm { get; } = comm;
        public string Cmdline { get; } = cmdline;
        public uint Uid { get; } = uid;
        public bool Alive { get; set; } = true;
    }

    private sealed class Service(string comm, string cmdline, uint uid, double restartsPerDay)
    {
        public string Comm { get; } = comm;
        public string Cmdline { get; } = cmdline;
        public uint Uid { get; } = uid;
        public double RestartsPerDay { get; } = restartsPerDay;
        public Proc Proc { get; set; } = null!;
    }

    private sealed class Sim<T>(T state, Service? owner, bool busy)
    {
        public T State { get; set; } = state;
        public Service? Owner { get; } = owner;
        public bool Busy { get; set; } = busy;
        /// <summary>Ordinary objects churn; the leak patterns do not.</summary>
        public bool Ordinary { get; init; } = true;
        /// <summary>Left behind by a process that died: nobody touches it again.</summary>
        public bool Leaked { get; set; }
    }

    public HostSimulation(string name, GeneratorOptions options, Random rng, long startMs, long rebootAt)
    {
        (_name, _options, _rng, _rebootAt) = (name, options, rng, rebootAt);
        _interval = (long)options.Interval.TotalMilliseconds;
        (string Comm, string Cmd, uint Uid)[] kinds =
        [
            ("postgres", "postgres: checkpointer", 26), ("oracle", "ora_pmon_ORCL", 54321), ("sap_dw", "dw.sapPRD_D00", 1002),
            ("php-fpm", "php-fpm: pool www", 33), ("nginx", "nginx: worker process", 33), ("java", "java -jar /srv/app.jar", 1000),
            ("python3", "python3 /srv/etl/run.py", 1003), ("ipcworker", "/usr/local/bin/ipcworker --queue", 0),
        ];
        for (var i = 0; i < Math.Max(8, options.Objects / 20); i++)
        {
            var k = kinds[i % kinds.Length];
            _services.Add(new Service(k.Comm, $"{k.Cmd} #{i}", k.Uid, 0.1 + rng.NextDouble() * 0.3));
        }
        _apache = new Service("apache2", "/usr/sbin/apache2 -k start", 33, 2.0);
        _telemetry = new Service("telemetryd", "/usr/sbin/telemetryd --send", 0, 0.05);
        _removeIpcAt = startMs + (long)(options.Days * 0.8 * Day);
        Boot(startMs, initialPopulation: options.Objects);
    }

    public Snapshot Step(long at)
    {
        if (!_rebooted && at >= _rebootAt)
        {
            _rebooted = true;
            _boot++;
            Boot(at, initialPopulation: _shm.Count(s => s.Ordinary) + _sem.Count(s => s.Ordinary) + _msg.Count(s => s.Ordinary));
        }
        RestartServices(at);
        RunJobs(at);
        FillBacklog(at);
        Churn(at);
        Touch(at);
        return Build(at);
    }

    private void Boot(long at, int initialPopulation)
    {
        _shm.Clear(); _sem.Clear(); _msg.Clear(); _jobs.Clear();
        _nextShm = _nextSem = _nextMsg = 0;
        var bootedAt = at - 10 * Minute;
        foreach (var s in _services.Append(_apache).Append(_telemetry)) s.Proc = Spawn(s, bootedAt + _rng.Next(60_000));
        for (var i = 0; i < initialPopulation; i++) CreateOrdinary(at, bootedAt + _rng.Next(120_000));
        CreateApacheLock(bootedAt);
        _reader = new Proc(NextPid(), bootedAt, "telemetry-rd", "/usr/sbin/telemetry-reader", 0);
        _backlog = new Sim<MsgQueue>(new MsgQueue
        {
            Id = NextId(ref _nextMsg), Key = 0x51000001, Mode = 0x1B0, Cbytes = 0, Qnum = 0, Lspid = 0, Lrpid = 0,
            Uid = 0, Gid = 0, Cuid = 0, Cgid = 0, Ctime = T(bootedAt), Qbytes = QueueCapacity,
        }, _telemetry, busy: false) { Ordinary = false };
        _msg.Add(_backlog);
        _readerDiesAt = at + Day;
        _nextJobAt = at + 2 * Hour;
    }

    private Proc Spawn(Service s, long start) => new(NextPid(), start, s.Comm, s.Cmdline, s.Uid);

    private int NextPid()
    {
        _nextPid += 1 + _rng.Next(40);
        return _nextPid;
    }

    private static int NextId(ref int counter) => counter++;

    private static DateTimeOffset T(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private bool Chance(double perDay) => _rng.NextDouble() < perDay * _interval / Day;

    private void RestartServices(long at)
    {
        foreach (var s in _services)
            if (Chance(s.RestartsPerDay)) Restart(s, at);
        if (Chance(_apache.RestartsPerDay))
        {
            // Apache crashed: the parent never removed its accept lock; the new one makes another.
            _apache.Proc.Alive = false;
            foreach (var o in _sem.Where(o => o.Owner == _apache)) (o.Busy, o.Leaked) = (false, true);
            _apache.Proc = Spawn(_apache, at - 5000);
            CreateApacheLock(at - 4000);
        }
    }

    private void Restart(Service s, long at)
    {
        s.Proc.Alive = false;
        s.Proc = Spawn(s, at - 30_000 - _rng.Next(30_000));
        // A well-behaved service reattaches and operates on its objects under its new pid.
        foreach (var o in _shm.Where(o => o.Owner == s)) o.State = Attach(o.State, s.Proc.Pid, at);
        foreach (var o in _sem.Where(o => o.Owner == s)) o.State = Semop(o.State, s.Proc.Pid, at);
        foreach (var o in _msg.Where(o => o.Owner == s)) o.State = Exchange(o.State, s.Proc.Pid, at);
    }

    private void CreateApacheLock(long at) => _sem.Add(new Sim<SemArray>(new SemArray
    {
        Id = NextId(ref _nextSem), Key = 0, Mode = 0x180, Nsems = 1, Uid = 33, Gid = 33, Cuid = 33, Cgid = 33,
        Otime = T(at), Ctime = T(at), Semaphores = [new Semaphore(0, 1, 0, 0, _apache.Proc.Pid)],
    }, _apache, busy: true) { Ordinary = false });

    private void RunJobs(long at)
    {
        foreach (var ended in _jobs.Where(j => j.EndsAt <= at).ToList())
        {
            // The job is killed; its segment stays with nattch 0: an HPC leak.
            ended.Job.Alive = false;
            ended.Segment.State = ended.Segment.State with { Nattch = 0, AttachedPids = [], Dtime = T(ended.EndsAt), Lpid = ended.Job.Pid };
            _jobs.Remove(ended);
        }
        if (at < _nextJobAt) return;
        _nextJobAt = at + 8 * Hour + _rng.Next((int)(8 * Hour));
        var proc = new Proc(NextPid(), at - 30_000, "solver", $"mpirun -np 64 ./solver case{_rng.Next(1000)}", 1001);
        var size = (ulong)(256 + _rng.Next(1792)) << 20;
        var seg = new Sim<ShmSegment>(new ShmSegment
        {
            Id = NextId(ref _nextShm), Key = (uint)_rng.Next(0x10000000, 0x7fffffff), Mode = 0x180, Bytes = size, Cpid = proc.Pid, Lpid = proc.Pid,
            Nattch = 1, Uid = 1001, Gid = 1001, Cuid = 1001, Cgid = 1001, Atime = T(at - 20_000), Ctime = T(at - 25_000),
            RssBytes = size / 2, SwapBytes = 0, AttachedPids = [proc.Pid],
        }, null, busy: false) { Ordinary = false };
        _shm.Add(seg);
        _jobs.Add((proc, seg, at + Hour + _rng.Next((int)(2 * Hour))));
    }

    private void FillBacklog(long at)
    {
        if (_backlog is null) return;
        var q = _backlog.State;
        if (at < _readerDiesAt)
        {
            if (Chance(48)) _backlog.State = q with { Qnum = 0, Cbytes = 0, Lrpid = _reader.Pid, Rtime = T(at) };
            return;
        }
        _reader.Alive = false;
        // The writer keeps sending, 256 bytes every half hour, until the queue is full and it blocks.
        if (Chance(48) && q.Cbytes + 256 <= QueueCapacity)
            _backlog.State = q with { Qnum = q.Qnum + 1, Cbytes = q.Cbytes + 256, Lspid = _telemetry.Proc.Pid, Stime = T(at) };
    }

    private void Churn(long at)
    {
        _churnDue += _options.Objects * _options.Churn * _interval / Day;
        while (_churnDue >= 1)
        {
            _churnDue -= 1;
            // A service stops, removing one of its objects on the way out, and comes back with a new one.
            var kind = _rng.Next(5);
            var owner = kind < 2 ? RemoveOne(_shm) : kind < 4 ? RemoveOne(_sem) : RemoveOne(_msg);
            if (owner is not null) Restart(owner, at);
            CreateOrdinary(at, at - _rng.Next((int)_interval), owner);
        }
        if (!_removeIpcDone && at >= _removeIpcAt)
        {
            // systemd-logind RemoveIPC=yes: the ETL user logged out, its objects went, its processes did not.
            _removeIpcDone = true;
            _shm.RemoveAll(o => o.State.Uid == RemoveIpcUid);
            _sem.RemoveAll(o => o.State.Uid == RemoveIpcUid);
            _msg.RemoveAll(o => o.State.Uid == RemoveIpcUid);
        }
    }

    private Service? RemoveOne<T>(List<Sim<T>> list)
    {
        var ordinary = list.Where(o => o.Ordinary).ToList();
        if (ordinary.Count == 0) return null;
        var victim = ordinary[_rng.Next(ordinary.Count)];
        list.Remove(victim);
        return victim.Owner;
    }

    private void CreateOrdinary(long at, long created, Service? owner = null)
    {
        var s = owner ?? _services[_rng.Next(_services.Count)];
        created = Math.Max(created, s.Proc.Start + 1000);
        var pid = s.Proc.Pid;
        var busy = _rng.NextDouble() < _options.Busy;
        var kind = _rng.Next(5);
        var key = (uint)_rng.Next(1, int.MaxValue);
        if (kind < 2)
        {
            ulong[] sizes = [64 << 10, 1 << 20, 16 << 20, 128 << 20, 1 << 30];
            var size = sizes[_rng.Next(sizes.Length)];
            var attached = _rng.NextDouble() < 0.9;
            _shm.Add(new Sim<ShmSegment>(new ShmSegment
            {
                Id = NextId(ref _nextShm), Key = key, Mode = 0x1B0, Bytes = size, Cpid = pid, Lpid = attached ? pid : 0,
                Nattch = attached ? 1 : 0, Uid = s.Uid, Gid = s.Uid, Cuid = s.Uid, Cgid = s.Uid,
                Atime = attached ? T(created) : null, Ctime = T(created), RssBytes = size / 4, SwapBytes = 0,
                AttachedPids = attached ? [pid] : [],
            }, s, busy));
        }
        else if (kind < 4)
        {
            int[] nsems = [1, 1, 2, 4, 17];
            var n = nsems[_rng.Next(nsems.Length)];
            _sem.Add(new Sim<SemArray>(new SemArray
            {
                Id = NextId(ref _nextSem), Key = key, Mode = 0x180, Nsems = n, Uid = s.Uid, Gid = s.Uid, Cuid = s.Uid, Cgid = s.Uid,
                Otime = T(created), Ctime = T(created),
                Semaphores = Enumerable.Range(0, n).Select(i => new Semaphore(i, 1, 0, 0, pid)).ToArray(),
            }, s, busy));
        }
        else
        {
            _msg.Add(new Sim<MsgQueue>(new MsgQueue
            {
                Id = NextId(ref _nextMsg), Key = key, Mode = 0x1B0, Cbytes = 0, Qnum = 0, Lspid = pid, Lrpid = pid,
                Uid = s.Uid, Gid = s.Uid, Cuid = s.Uid, Cgid = s.Uid, Stime = T(created), Rtime = T(created), Ctime = T(created),
                Qbytes = QueueCapacity,
            }, s, busy));
        }
    }

    private void Touch(long at)
    {
        // Busy objects change at every snapshot; idle ones every six hours or so.
        const double idleChangesPerDay = 4;
        foreach (var o in _shm)
            if (o.Owner is { } s && (o.Busy || Chance(idleChangesPerDay)) && o.State.Nattch > 0)
                o.State = o.State with { RssBytes = (ulong)_rng.NextInt64(1, (long)(o.State.Bytes / PageSize) + 1) * PageSize, Atime = T(at - _rng.Next(1000)), Lpid = s.Proc.Pid, AttachedPids = [s.Proc.Pid] };
        foreach (var o in _sem)
            if (o.Owner is { } s && !o.Leaked && (o.Busy || Chance(idleChangesPerDay)))
                o.State = Semop(o.State, s.Proc.Pid, at);
        foreach (var o in _msg)
            if (o != _backlog && o.Owner is { } s && (o.Busy || Chance(idleChangesPerDay)))
                o.State = Exchange(o.State, s.Proc.Pid, at);
    }

    private ShmSegment Attach(ShmSegment s, int pid, long at) =>
        s with { Nattch = 1, AttachedPids = [pid], Lpid = pid, Atime = T(at - _rng.Next(1000)) };

    private SemArray Semop(SemArray a, int pid, long at) => a with
    {
        Otime = T(at - _rng.Next(1000)),
        Semaphores = Enumerable.Range(0, a.Nsems).Select(i => new Semaphore(i, _rng.Next(2), 0, 0, pid)).ToArray(),
    };

    private MsgQueue Exchange(MsgQueue q, int pid, long at)
    {
        var qnum = (ulong)_rng.Next(3);
        return q with { Qnum = qnum, Cbytes = qnum * 128, Lspid = pid, Lrpid = pid, Stime = T(at - _rng.Next(1000)), Rtime = T(at - _rng.Next(1000)) };
    }

    private static readonly string[] Steps = ["host", "limits", "shm", "sem", "msg", "sem-values", "msg-qbytes", "attachments", "usage", "processes"];

    private Snapshot Build(long at)
    {
        var shm = _shm.Select(o => o.State).ToList();
        var sem = _sem.Select(o => o.State).ToList();
        var msg = _msg.Select(o => o.State).ToList();
        var referenced = ReferencedPids.Of(shm, sem, msg);
        // Like a collector that also checks the pids of objects gone since the last snapshot: what
        // makes "vanished while a user was alive" (systemd RemoveIPC) visible in history.
        var checkedPids = new HashSet<int>(referenced);
        checkedPids.UnionWith(_previouslyReferenced);
        _previouslyReferenced = referenced;
        var alive = _services.Append(_apache).Append(_telemetry).Select(s => s.Proc)
            .Concat(_jobs.Select(j => j.Job)).Append(_reader)
            .Where(p => p.Alive && checkedPids.Contains(p.Pid))
            .Select(p => new ProcessInfo { Pid = p.Pid, Alive = true, Comm = p.Comm, Cmdline = p.Cmdline, Uid = p.Uid, StartTime = T(p.Start) })
            .ToList();
        // A rare collection whose process scan failed: liveness unknown at that snapshot.
        var processesOk = _rng.NextDouble() >= 0.002;
        return new Snapshot
        {
            Host = new HostIdentity
            {
                Host = _name, MachineId = "m-" + _name, BootId = $"{_name}-boot-{_boot}", Kernel = "6.18.0-bench",
                IpcNamespace = 4026531839, PageSize = PageSize,
            },
            TakenAt = T(at + _rng.Next(3000)),
            CollectorVersion = "bench",
            Limits = _limits,
            Usage = new IpcUsage
            {
                ShmSegments = shm.Count, SemArrays = sem.Count, SemSemaphores = sem.Sum(a => (long)a.Nsems), MsgQueues = msg.Count,
                MsgMessages = msg.Sum(q => (long)q.Qnum), MsgBytes = msg.Sum(q => (long)q.Cbytes),
                ShmPagesAllocated = (ulong)shm.Sum(s => (long)((s.Bytes + PageSize - 1) / PageSize)),
            },
            Shm = shm, Sem = sem, Msg = msg,
            Processes = processesOk ? alive : [],
            Steps = Steps.Select(s => new CollectionStep(s, TimeSpan.FromMilliseconds(1), s != "processes" || processesOk)).ToList(),
        };
    }
}
