#!/usr/bin/env python3
"""Creates the benchmark's System V IPC population in the caller's IPC namespace, fast, from one process.

Run it only inside `unshare --ipc`: the objects are real. For N it makes
  - N shared memory segments (4-64 KiB; half with a key, half IPC_PRIVATE), a quarter of them
    attached by a few sleeper processes (each maps many segments; some segments have two attachers),
  - N semaphore arrays of 1-8 semaphores (every third with values set by SETALL),
  - N message queues (every fourth holding 1-3 messages).
Sleepers write their pids to --pidfile and exit by themselves after --sleeper-seconds, so a harness
that dies cannot leave them behind for long. Prints one JSON line: what it made.
"""
import argparse
import ctypes
import json
import os
import select
import sys
import time

IPC_PRIVATE, IPC_CREAT, IPC_EXCL, IPC_NOWAIT = 0, 0o1000, 0o2000, 0o4000
SETALL = 17
SLEEPERS = 4
READY_TIMEOUT = 30.0

libc = ctypes.CDLL(None, use_errno=True)
libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmat.restype = ctypes.c_void_p
libc.semget.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
libc.semctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
libc.msgget.argtypes = [ctypes.c_int, ctypes.c_int]
libc.msgsnd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def check(result, what):
    if result == -1 or result is None:
        err = ctypes.get_errno()
        sys.exit(f"make_objects: {what}: {os.strerror(err)} (errno {err})")
    return result


def key(kind, i):
    """Every other object gets a key unique to its kind and index; the rest are IPC_PRIVATE."""
    return IPC_PRIVATE if i % 2 else 0x10000000 * kind + i


def make_segments(n):
    return [check(libc.shmget(key(1, i), 4096 * (1 + i % 16), IPC_CREAT | IPC_EXCL | 0o600), "shmget") for i in range(n)]


def make_arrays(n):
    ids = []
    for i in range(n):
        nsems = 1 + i % 8
        semid = check(libc.semget(key(2, i), nsems, IPC_CREAT | IPC_EXCL | 0o600), "semget")
        if i % 3 == 0:
            values = (ctypes.c_ushort * nsems)(*[(i + s) % 5 for s in range(nsems)])
            check(libc.semctl(semid, 0, SETALL, values), "semctl(SETALL)")
        ids.append(semid)
    return ids


def make_queues(n):
    ids, messages = [], 0
    buf = ctypes.create_string_buffer(ctypes.sizeof(ctypes.c_long) + 256)
    ctypes.c_long.from_buffer(buf).value = 1
    for i in range(n):
        msqid = check(libc.msgget(key(3, i), IPC_CREAT | IPC_EXCL | 0o600), "msgget")
        if i % 4 == 0:
            for m in range(1 + i % 3):
                check(libc.msgsnd(msqid, buf, 64 * (1 + m), IPC_NOWAIT), "msgsnd")
                messages += 1
        ids.append(msqid)
    return ids, messages


def fork_sleeper(shmids, seconds):
    """A child that maps every segment in shmids, says so on a pipe, then sleeps; returns its pid."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            for shmid in shmids:
                if libc.shmat(shmid, None, 0) in (None, ctypes.c_void_p(-1).value):
                    os._exit(2)
            os.write(w, b"1")
            os.close(w)
            time.sleep(seconds)
        finally:
            os._exit(0)
    os.close(w)
    ready, _, _ = select.select([r], [], [], READY_TIMEOUT)
    if not ready or os.read(r, 1) != b"1":
        sys.exit(f"make_objects: sleeper {pid} could not attach its segments")
    os.close(r)
    return pid


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, required=True, help="objects of each kind")
    parser.add_argument("--pidfile", required=True, help="sleeper pids are appended here, one a line")
    parser.add_argument("--sleeper-seconds", type=int, default=3600)
    a = parser.parse_args()

    started = time.monotonic()
    segments = make_segments(a.n)
    arrays = make_arrays(a.n)
    queues, messages = make_queues(a.n)

    # Sleeper k maps a tenth of the segments starting at k/20: neighbours overlap, so a quarter of
    # the segments are attached and some of them by two processes.
    sleepers = []
    if a.n >= 20:
        share, step = a.n // 10, a.n // 20
        for k in range(SLEEPERS):
            pid = fork_sleeper(segments[k * step:k * step + share], a.sleeper_seconds)
            sleepers.append(pid)
            with open(a.pidfile, "a") as f:
                f.write(f"{pid}\n")
    attached = len({s for k in range(len(sleepers)) for s in segments[k * (a.n // 20):k * (a.n // 20) + a.n // 10]})

    print(json.dumps(dict(n=a.n, shm=len(segments), sem=len(arrays), semaphores=sum(1 + i % 8 for i in range(a.n)),
                          msg=len(queues), messages=messages, attached_segments=attached, sleepers=sleepers,
                          seconds=round(time.monotonic() - started, 3))), flush=True)


if __name__ == "__main__":
    main()
