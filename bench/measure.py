#!/usr/bin/env python3
"""Times ipcaudit collect beside ipcs, lsipc and a plain read of the same files, for one object count.

Run by bench/run inside `unshare --ipc` (it refuses the initial IPC namespace): it creates the
population with make_objects.py, then runs every measurement once per round, rotating the order each
round (A B C D E, B C D E A, ...), and keeps every wall time and CPU time. Wall time is taken around
posix_spawn .. wait4 of the commands, so no wrapper's start-up is counted; CPU time is wait4's user +
system time. Peak RSS comes from separate untimed passes under `/usr/bin/time -f %M` (for a group of
commands, the largest): a child spawned from Python keeps Python's RSS high-water mark across exec,
so wait4's ru_maxrss taken here would overstate small commands.
Writes one JSON document to --out.
"""
import argparse
import glob
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
INITIAL_IPC_NAMESPACE = "ipc:[4026531839]"  # PROC_IPC_INIT_INO: the host's own namespace
IPCS_SIX = [["ipcs", v] for v in ("-a", "-p", "-t", "-c", "-u", "-l")]
LSIPC_FOUR = [["lsipc", v, "--json"] for v in ("-m", "-s", "-q", "-g")]


def spawn_wait(argv, env=None):
    """Runs argv with stdout/stderr to /dev/null; returns (exit code, user + system CPU ms)."""
    with open(os.devnull, "wb") as null:
        pid = os.posix_spawnp(argv[0], argv, env if env is not None else os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, null.fileno(), 1),
                                            (os.POSIX_SPAWN_DUP2, null.fileno(), 2)])
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), (usage.ru_utime + usage.ru_stime) * 1000


def remove_db(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


class Measurement:
    """One named thing to time: a group of commands run one after another, with optional set-up outside the clock."""

    def __init__(self, name, commands, env=None, setup=None, must_succeed=True):
        self.name, self.commands, self.env, self.setup, self.must_succeed = name, commands, env, setup, must_succeed
        self.walls_ms, self.cpu_ms, self.rss_kb = [], [], []

    def argvs(self):
        return self.commands() if callable(self.commands) else self.commands

    def run(self, record=True):
        if self.setup:
            self.setup()
        commands = self.argvs()
        cpu = 0.0
        start = time.perf_counter_ns()
        for argv in commands:
            code, used = spawn_wait(argv, self.env)
            if code != 0 and self.must_succeed:
                sys.exit(f"measure: {' '.join(argv[:4])} exited {code}")
            cpu += used
        wall = (time.perf_counter_ns() - start) / 1e6
        if record:
            self.walls_ms.append(wall)
            self.cpu_ms.append(cpu)

    def measure_rss(self, work):
        """One untimed pass with every command under /usr/bin/time -f %M; keeps the largest."""
        if self.setup:
            self.setup()
        out, peak = os.path.join(work, "rss.txt"), 0
        for argv in self.argvs():
            spawn_wait(["/usr/bin/time", "-f", "%M", "-o", out] + argv, self.env)
            with open(out) as f:
                peak = max(peak, int(f.read().split()[-1]))
        self.rss_kb.append(peak)

    def summary(self):
        return dict(median_ms=statistics.median(self.walls_ms), min_ms=min(self.walls_ms), max_ms=max(self.walls_ms),
                    walls_ms=[round(w, 2) for w in self.walls_ms], median_cpu_ms=statistics.median(self.cpu_ms),
                    peak_rss_kb=max(self.rss_kb), median_rss_kb=statistics.median(self.rss_kb), commands=len(self.argvs()))


def floor_commands():
    # The glob is expanded outside the clock: the floor is the reading, and a smaller floor only makes ipcaudit look worse.
    return [["cat", "/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg"] + sorted(glob.glob("/proc/[0-9]*/maps"))]


def checkpoint_size(db):
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return os.path.getsize(db)


def latest_snapshot(db):
    with sqlite3.connect(db) as c:
        sid, shm, sem, msg = c.execute(
            "SELECT snapshot_id, shm_count, sem_count, msg_count FROM snapshots ORDER BY snapshot_id DESC LIMIT 1").fetchone()
        steps = {name: (ok, note) for name, ok, note in
                 c.execute("SELECT step, succeeded, note FROM snapshot_steps WHERE snapshot_id = ?", (sid,))}
        attached = c.execute("""SELECT count(*) FROM shm_states s JOIN objects o USING (object_id)
                                WHERE o.removed_at IS NULL AND s.valid_to IS NULL
                                  AND s.attached_pids IS NOT NULL AND s.attached_pids <> '[]'""").fetchone()[0]
        valued = c.execute("""SELECT count(*) FROM sem_states WHERE valid_to IS NULL AND semaphores IS NOT NULL""").fetchone()[0]
    return dict(shm=shm, sem=sem, msg=msg, steps=steps, attached_segments=attached, arrays_with_values=valued)


def step_medians(db):
    """Per-step median duration (ms) over every snapshot in db: where the collector's time goes."""
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT step, ordinal, duration_us FROM snapshot_steps ORDER BY ordinal").fetchall()
    by_step = {}
    for step, ordinal, us in rows:
        by_step.setdefault((ordinal, step), []).append(us / 1000)
    return {step: round(statistics.median(v), 3) for (_, step), v in sorted(by_step.items())}


def verify(snapshot, made):
    """The smoke test's assertions: ipcaudit saw every object, every semaphore value and every attacher."""
    problems = []
    for kind in ("shm", "sem", "msg"):
        if snapshot[kind] != made[kind]:
            problems.append(f"{kind}: stored {snapshot[kind]}, made {made[kind]}")
    for step in ("shm", "sem", "msg", "sem-values", "msg-qbytes", "usage", "processes"):
        ok, note = snapshot["steps"].get(step, (0, "missing"))
        if not ok:
            problems.append(f"step {step} failed: {note}")
    if snapshot["attached_segments"] != made["attached_segments"]:
        problems.append(f"attached segments: stored {snapshot['attached_segments']}, made {made['attached_segments']}")
    if snapshot["arrays_with_values"] != made["sem"]:
        problems.append(f"arrays with semaphore values: stored {snapshot['arrays_with_values']}, made {made['sem']}")
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--rounds", type=int, default=11)
    p.add_argument("--storage-snapshots", type=int, default=30, help="steady snapshots added for the bytes-per-snapshot figure")
    p.add_argument("--bin", required=True, help="the published ipcaudit")
    p.add_argument("--work", required=True, help="folder for the databases")
    p.add_argument("--out", required=True)
    p.add_argument("--variant", nargs="+", action="append", default=[], metavar=("NAME BIN", "ENV=VALUE"),
                   help="also time steady-state collect of another build or environment (A/B tuning)")
    a = p.parse_args()

    if os.readlink("/proc/self/ns/ipc") == INITIAL_IPC_NAMESPACE:
        sys.exit("measure: this is the host's IPC namespace; run me through bench/run (unshare --ipc)")
    os.makedirs(a.work, exist_ok=True)
    pidfile = os.path.join(a.work, f"sleepers-{a.n}.pids")
    open(pidfile, "w").close()
    try:
        made = json.loads(subprocess.run([sys.executable, os.path.join(HERE, "make_objects.py"), "--n", str(a.n),
                                          "--pidfile", pidfile], check=True, capture_output=True, text=True).stdout)
        result = run(a, made)
    finally:
        with open(pidfile) as f:
            for line in f:
                try:
                    os.kill(int(line), signal.SIGKILL)
                except ProcessLookupError:
                    pass
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    if result["problems"]:
        sys.exit("measure: " + "; ".join(result["problems"]))


def run(a, made):
    first_db = os.path.join(a.work, f"first-{a.n}.db")
    steady_db = os.path.join(a.work, f"steady-{a.n}.db")
    remove_db(steady_db)
    collect = lambda db: [[a.bin, "collect", "--db", db]]  # noqa: E731
    measurements = [
        Measurement("collect-first", collect(first_db), setup=lambda: remove_db(first_db)),
        Measurement("collect-steady", collect(steady_db)),
        Measurement("ipcs-six", IPCS_SIX),
        Measurement("lsipc-four", LSIPC_FOUR),
        # cat exits 1 on maps it may not read (pid 1 on some machines) or that vanished: it still read the rest.
        Measurement("floor", floor_commands, must_succeed=False),
    ]
    for name, binary, *env in a.variant:
        db = os.path.join(a.work, f"variant-{name}-{a.n}.db")
        remove_db(db)
        environment = dict(os.environ, **dict(e.split("=", 1) for e in env))
        measurements.append(Measurement(name, [[binary, "collect", "--db", db]], env=environment))

    for m in measurements:  # warm-up: page cache, and the steady databases get their first snapshot
        m.run(record=False)
    for r in range(a.rounds):
        k = r % len(measurements)
        for m in measurements[k:] + measurements[:k]:
            m.run()
    for _ in range(min(3, a.rounds)):
        for m in measurements:
            m.measure_rss(a.work)

    snapshot = latest_snapshot(steady_db)
    before, snapshots_before = checkpoint_size(steady_db), a.rounds + 1 + min(3, a.rounds)
    for _ in range(a.storage_snapshots):
        measurements[1].run(record=False)
    after = checkpoint_size(steady_db)
    return dict(
        n=a.n, made=made, rounds=a.rounds,
        results={m.name: m.summary() for m in measurements},
        steps_ms=step_medians(steady_db),
        storage=dict(snapshots=a.storage_snapshots, bytes_before=before, bytes_after=after,
                     bytes_per_snapshot=(after - before) / a.storage_snapshots, snapshots_before=snapshots_before,
                     first_snapshot_db_bytes=checkpoint_size(first_db)),
        snapshot={k: v for k, v in snapshot.items() if k != "steps"},
        problems=verify(snapshot, made),
    )


if __name__ == "__main__":
    main()
