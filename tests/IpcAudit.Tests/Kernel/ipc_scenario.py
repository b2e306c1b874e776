#!/usr/bin/env python3
"""Creates System V IPC objects for the kernel tests and prints what it made, one JSON line per step.

Run it only inside `unshare --ipc`: it creates real objects in the caller's IPC namespace.
Children that must outlive a step (attachers, blocked waiters) detach from stdout so the caller's
pipe closes, and their pids are appended to $IPC_SCENARIO_PIDFILE so the harness can kill them.

  shm --key 0x2a --size 65536 --mode 0600 [--lock]
  shm-attach --id N [--touch]  child shmat()s (--touch: writes every byte, so pages are resident)
                               and sleeps until killed; prints its pid
  shm-rmid --id N              IPC_RMID: the segment is destroyed, or marked dest while attached
  sem --key K --nsems 3 --mode 0600 [--values 1,0,5]
  sem-op --id N --num I --op X this process does one semop and exits (sets the semaphore's pid)
  sem-wait --id N --num I [--op -1|0]   child blocks in semop: -1 on a zero value (ncount),
                               0 on a non-zero value (zcount); prints its pid
  msg --key K --mode 0600 [--count C --size S] [--qbytes Q]   a child sends C messages and exits;
                               --qbytes may only lower msg_qbytes (raising needs CAP_SYS_RESOURCE)
  msg-recv --id N [--count C]  a child receives C messages and exits
  msg-send --id N [--count C --size S] [--expect-full]   a child sends C more messages and exits;
                               --expect-full: then one more IPC_NOWAIT send must fail (EAGAIN: full)
  shm-dir --dir D --size S     a child that runs in directory D creates a segment keyed by D's inode
                               (PostgreSQL 12+'s scheme for its data directory) and sleeps until
                               killed; prints the id, the key and its pid
  shm-touch --id N             a short job: a child attaches, detaches and exits
  sem-hold --nsems N           a child creates an array (no SETVAL: every pid stays 0) and sleeps
                               until killed; prints the id and its pid
  server --sems N [--owner UID] [--burst K | --every S] [--linger S]
                               a daemon (double fork, so its parent is pid 1, as for a service)
                               creates N private one-semaphore arrays (SETVAL 1; --owner: IPC_SET
                               uid, as Apache gives its mutexes to www-data), then forks children
                               that each do a semop on every array, sleep --linger seconds and
                               exit: K of them at once (--burst), or one every S seconds until
                               killed (--every); prints the ids and the server's pid (its process
                               group: `kill -9 -- -PID` kills the server and its children)

Global option --as UID (before the command) runs the step as that uid and gid, so the objects are a
service user's.
"""
import argparse
import ctypes
import errno
import json
import os
import select
import sys
import time

IPC_CREAT, IPC_EXCL, IPC_NOWAIT = 0o1000, 0o2000, 0o4000
IPC_RMID, IPC_SET, IPC_STAT = 0, 1, 2
SHM_LOCK = 11
GETNCNT, GETZCNT, SETVAL = 14, 15, 16
MSQID_DS_SIZE, MSQID_DS_QBYTES = 120, 88
SEMID_DS_SIZE, IPC_PERM_UID = 104, 4
SHMID_DS_SIZE, SHMID_DS_SEGSZ = 112, 48
READY_TIMEOUT = 10.0

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
libc.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
libc.msgctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
libc.msgsnd.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.msgrcv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_long, ctypes.c_int]
libc.msgrcv.restype = ctypes.c_ssize_t
libc.shmdt.argtypes = [ctypes.c_void_p]


class SemBuf(ctypes.Structure):
    _fields_ = [("sem_num", ctypes.c_ushort), ("sem_op", ctypes.c_short), ("sem_flg", ctypes.c_short)]


def check(result, what):
    if result == -1 or result is None:
        err = ctypes.get_errno()
        sys.exit(f"ipc_scenario: {what}: {os.strerror(err)} (errno {err})")
    return result


def key_arg(text):
    value = 0 if text == "private" else int(text, 0)
    return value - (1 << 32) if value >= 1 << 31 else value  # key_t is a signed int


def emit(**fields):
    print(json.dumps(fields), flush=True)


PIDFILE = None  # opened before --as drops privileges: the harness's file is root's


def remember_child(pid):
    if PIDFILE:
        PIDFILE.write(f"{pid}\n")
        PIDFILE.flush()


def detach_stdio():
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)


def sleep_forever():
    while True:
        time.sleep(3600)


def fork_sleeper(work):
    """Forks a child that runs work() and then sleeps until killed; returns (pid, what work returned, as
    text) once it is ready. work may return a number the caller needs, such as an id made in the child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            detach_stdio()
            made = work()
            os.write(w, b"ready " + str(made).encode())
            os.close(w)
            sleep_forever()
        finally:
            os._exit(1)
    os.close(w)
    remember_child(pid)
    ready, _, _ = select.select([r], [], [], READY_TIMEOUT)
    text = os.read(r, 64).decode() if ready else ""
    if not text.startswith("ready "):
        sys.exit(f"ipc_scenario: child {pid} did not become ready")
    return pid, text[len("ready "):]


def run_child_to_end(work):
    """Forks a child that runs work() and exits; waits for it, so its pid is dead afterwards."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"ipc_scenario: child {pid} failed")
            return pid
        time.sleep(0.01)
    sys.exit(f"ipc_scenario: child {pid} did not finish")


def shm(a):
    shmid = check(libc.shmget(key_arg(a.key), a.size, IPC_CREAT | IPC_EXCL | int(a.mode, 8)), "shmget")
    if a.lock:
        check(libc.shmctl(shmid, SHM_LOCK, None), "shmctl(SHM_LOCK)")
    emit(op="shm", id=shmid, key=a.key, size=a.size)


def shm_attach(a):
    def attach():
        addr = check(libc.shmat(a.id, None, 0), "shmat")
        if a.touch:
            size = ctypes.create_string_buffer(SHMID_DS_SIZE)
            check(libc.shmctl(a.id, IPC_STAT, size), "shmctl(IPC_STAT)")
            ctypes.memset(addr, 0x5A, ctypes.c_size_t.from_buffer(size, SHMID_DS_SEGSZ).value)

    emit(op="shm-attach", id=a.id, pid=fork_sleeper(attach)[0])


def shm_rmid(a):
    check(libc.shmctl(a.id, IPC_RMID, None), "shmctl(IPC_RMID)")
    emit(op="shm-rmid", id=a.id)


def sem(a):
    semid = check(libc.semget(key_arg(a.key), a.nsems, IPC_CREAT | IPC_EXCL | int(a.mode, 8)), "semget")
    values = [int(v) for v in a.values.split(",")] if a.values else []
    for num, value in enumerate(values):
        check(libc.semctl(semid, num, SETVAL, ctypes.c_int(value)), "semctl(SETVAL)")
    emit(op="sem", id=semid, key=a.key, nsems=a.nsems, values=values, pid=os.getpid())


def semop(semid, num, op, flags=0):
    buf = SemBuf(num, op, flags)
    return libc.semop(semid, ctypes.byref(buf), 1)


def sem_op(a):
    check(semop(a.id, a.num, a.op, IPC_NOWAIT), "semop")
    emit(op="sem-op", id=a.id, num=a.num, pid=os.getpid())


def sem_wait(a):
    counter = GETNCNT if a.op < 0 else GETZCNT
    before = check(libc.semctl(a.id, a.num, counter), "semctl(GETNCNT/GETZCNT)")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.close(w)
            detach_stdio()
            semop(a.id, a.num, a.op)  # blocks until killed
            sleep_forever()
        finally:
            os._exit(1)
    os.close(r)
    os.close(w)
    remember_child(pid)
    deadline = time.monotonic() + READY_TIMEOUT
    while libc.semctl(a.id, a.num, counter) == before:
        if time.monotonic() > deadline:
            sys.exit(f"ipc_scenario: waiter {pid} never blocked on semaphore {a.id}/{a.num}")
        time.sleep(0.01)
    emit(op="sem-wait", id=a.id, num=a.num, pid=pid)


def msg(a):
    msqid = check(libc.msgget(key_arg(a.key), IPC_CREAT | IPC_EXCL | int(a.mode, 8)), "msgget")
    if a.qbytes:
        ds = ctypes.create_string_buffer(MSQID_DS_SIZE)
        check(libc.msgctl(msqid, IPC_STAT, ds), "msgctl(IPC_STAT)")
        ctypes.c_ulong.from_buffer(ds, MSQID_DS_QBYTES).value = a.qbytes
        check(libc.msgctl(msqid, IPC_SET, ds), "msgctl(IPC_SET)")

    def send():
        buf = ctypes.create_string_buffer(ctypes.sizeof(ctypes.c_long) + a.size)
        ctypes.c_long.from_buffer(buf).value = 1
        for _ in range(a.count):
            check(libc.msgsnd(msqid, buf, a.size, IPC_NOWAIT), "msgsnd")

    sender = run_child_to_end(send) if a.count else 0
    emit(op="msg", id=msqid, key=a.key, count=a.count, size=a.size, lspid=sender)


def msg_send(a):
    def send():
        buf = ctypes.create_string_buffer(ctypes.sizeof(ctypes.c_long) + a.size)
        ctypes.c_long.from_buffer(buf).value = 1
        for _ in range(a.count):
            check(libc.msgsnd(a.id, buf, a.size, IPC_NOWAIT), "msgsnd")
        if a.expect_full and libc.msgsnd(a.id, buf, a.size, IPC_NOWAIT) != -1:
            sys.exit("ipc_scenario: the queue took one more message")
        if a.expect_full and ctypes.get_errno() != errno.EAGAIN:
            sys.exit(f"ipc_scenario: msgsnd on a full queue: {os.strerror(ctypes.get_errno())}")

    emit(op="msg-send", id=a.id, count=a.count, size=a.size, lspid=run_child_to_end(send), full=a.expect_full)


def shm_dir(a):
    def create():
        os.chdir(a.dir)
        key = os.stat(".").st_ino & 0xFFFFFFFF
        return check(libc.shmget(key - (1 << 32) if key >= 1 << 31 else key, a.size, IPC_CREAT | IPC_EXCL | 0o600), "shmget")

    pid, made = fork_sleeper(create)
    emit(op="shm-dir", id=int(made), key=os.stat(a.dir).st_ino & 0xFFFFFFFF, pid=pid)


def shm_touch(a):
    def touch():
        addr = check(libc.shmat(a.id, None, 0), "shmat")
        check(libc.shmdt(ctypes.c_void_p(addr)), "shmdt")

    emit(op="shm-touch", id=a.id, pid=run_child_to_end(touch))


def sem_hold(a):
    # The array is made by the child that holds it: its id comes back through the ready message.
    def create():
        return check(libc.semget(key_arg(a.key), a.nsems, IPC_CREAT | IPC_EXCL | int(a.mode, 8)), "semget")

    pid, semid = fork_sleeper(create)
    emit(op="sem-hold", id=int(semid), nsems=a.nsems, pid=pid)


def server(a):
    r, w = os.pipe()
    first = os.fork()
    if first == 0:
        # Double fork: the daemon's parent exits, so pid 1 adopts it, as it does a service's main process.
        os.setsid()
        if os.fork() != 0:
            os._exit(0)
        os.setpgid(0, 0)  # a group of its own: `kill -9 -- -PID` stops it with its children
        try:
            os.close(r)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            ids = []
            for _ in range(a.sems):
                semid = check(libc.semget(0, 1, IPC_CREAT | 0o600), "semget")
                check(libc.semctl(semid, 0, SETVAL, ctypes.c_int(1)), "semctl(SETVAL)")
                if a.owner is not None:
                    ds = ctypes.create_string_buffer(SEMID_DS_SIZE)
                    check(libc.semctl(semid, 0, IPC_STAT, ds), "semctl(IPC_STAT)")
                    ctypes.c_uint.from_buffer(ds, IPC_PERM_UID).value = a.owner
                    check(libc.semctl(semid, 0, IPC_SET, ds), "semctl(IPC_SET)")
                ids.append(semid)
            os.write(w, json.dumps({"ids": ids, "pid": os.getpid()}).encode())
            os.close(w)

            def child():
                for semid in ids:
                    semop(semid, 0, -1)
                    semop(semid, 0, 1)
                time.sleep(a.linger)

            def spawn():
                if os.fork() == 0:
                    try:
                        child()
                    finally:
                        os._exit(0)

            for _ in range(a.burst):
                spawn()
            while True:
                if a.every > 0:
                    spawn()
                time.sleep(a.every if a.every > 0 else 3600)
                while True:  # reap what exited
                    try:
                        if os.waitpid(-1, os.WNOHANG)[0] == 0:
                            break
                    except ChildProcessError:
                        break
        finally:
            os._exit(1)
    os.close(w)
    os.waitpid(first, 0)
    ready, _, _ = select.select([r], [], [], READY_TIMEOUT)
    text = os.read(r, 65536) if ready else b""
    if not text:
        sys.exit("ipc_scenario: server did not start")
    made = json.loads(text)
    remember_child(made["pid"])
    emit(op="server", id=made["ids"][0], ids=made["ids"], pid=made["pid"])


def msg_recv(a):
    def receive():
        buf = ctypes.create_string_buffer(ctypes.sizeof(ctypes.c_long) + 65536)
        for _ in range(a.count):
            check(libc.msgrcv(a.id, buf, 65536, 0, IPC_NOWAIT), "msgrcv")

    emit(op="msg-recv", id=a.id, lrpid=run_child_to_end(receive))


ID = ("--id", dict(type=int, required=True))
KEY = ("--key", dict(default="private"))
MODE = ("--mode", dict(default="0600"))
FLAG = dict(action="store_true")

COMMANDS = {
    "shm": (shm, [KEY, MODE, ("--size", dict(type=int, required=True)), ("--lock", FLAG)]),
    "shm-attach": (shm_attach, [ID, ("--touch", FLAG)]),
    "shm-rmid": (shm_rmid, [ID]),
    "sem": (sem, [KEY, MODE, ("--nsems", dict(type=int, required=True)), ("--values", dict(default=""))]),
    "sem-op": (sem_op, [ID, ("--num", dict(type=int, required=True)), ("--op", dict(type=int, required=True))]),
    "sem-wait": (sem_wait, [ID, ("--num", dict(type=int, required=True)), ("--op", dict(type=int, default=-1))]),
    "msg": (msg, [KEY, MODE] + [(o, dict(type=int, default=0)) for o in ("--count", "--size", "--qbytes")]),
    "msg-recv": (msg_recv, [ID, ("--count", dict(type=int, default=1))]),
    "msg-send": (msg_send, [ID, ("--count", dict(type=int, default=1)), ("--size", dict(type=int, default=16)), ("--expect-full", FLAG)]),
    "shm-touch": (shm_touch, [ID]),
    "shm-dir": (shm_dir, [("--dir", dict(required=True)), ("--size", dict(type=int, default=4096))]),
    "sem-hold": (sem_hold, [KEY, MODE, ("--nsems", dict(type=int, default=1))]),
    "server": (server, [("--sems", dict(type=int, default=1)), ("--owner", dict(type=int, default=None)),
                        ("--burst", dict(type=int, default=0)), ("--every", dict(type=float, default=0)),
                        ("--linger", dict(type=float, default=0))]),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--as", dest="as_uid", type=int, default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (run, options) in COMMANDS.items():
        command = sub.add_parser(name)
        for option, settings in options:
            command.add_argument(option, **settings)
        command.set_defaults(run=run)
    args = parser.parse_args()
    global PIDFILE
    if os.environ.get("IPC_SCENARIO_PIDFILE"):
        PIDFILE = open(os.environ["IPC_SCENARIO_PIDFILE"], "a")
    if args.as_uid is not None:
        os.setgroups([])
        os.setgid(args.as_uid)
        os.setuid(args.as_uid)
    args.run(args)


if __name__ == "__main__":
    main()
