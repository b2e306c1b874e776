#!/usr/bin/env python3
"""Makes one POSIX IPC object for the kernel tests and, with --hold, keeps holding it until killed.

    posix_scenario.py shm NAME --size BYTES [--hold map|open] [--unlink] [--comm NAME] [--ready FILE]
    posix_scenario.py sem NAME --value N [--hold map] [--ready FILE]
    posix_scenario.py mq NAME --messages K [--maxmsg M --msgsize S] [--hold open] [--ready FILE]

Without --hold the object is made and the program exits: a leak whose maker nobody saw. --unlink removes
the name while the mapping stays (only /proc/PID/maps still shows it). --comm sets the process name
(what /proc/PID/comm shows), to play a program such as postgres. --ready is touched once the object is
made and held, so the caller knows when to look.
"""
import argparse
import ctypes
import mmap
import os
import signal
import sys

libc = ctypes.CDLL("libc.so.6", use_errno=True)
libc.sem_open.restype = ctypes.c_void_p
libc.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
libc.shm_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint]
libc.shm_unlink.argtypes = [ctypes.c_char_p]


class MqAttr(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_long), ("maxmsg", ctypes.c_long), ("msgsize", ctypes.c_long),
                ("curmsgs", ctypes.c_long), ("reserved", ctypes.c_long * 4)]


libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(MqAttr)]
libc.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]


def fail(what):
    err = ctypes.get_errno()
    sys.exit(f"{what}: {os.strerror(err)}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["shm", "sem", "mq"])
    p.add_argument("name")
    p.add_argument("--size", type=int, default=4096)
    p.add_argument("--value", type=int, default=1)
    p.add_argument("--messages", type=int, default=0)
    p.add_argument("--maxmsg", type=int, default=8)
    p.add_argument("--msgsize", type=int, default=128)
    p.add_argument("--hold", choices=["map", "open"])
    p.add_argument("--unlink", action="store_true")
    p.add_argument("--comm")
    p.add_argument("--ready")
    a = p.parse_args()
    if a.comm:
        libc.prctl(15, a.comm.encode(), 0, 0, 0)  # PR_SET_NAME
    name = ("/" + a.name).encode()
    keep = []
    if a.kind == "shm":
        fd = libc.shm_open(name, os.O_CREAT | os.O_RDWR, 0o600)
        if fd < 0:
            fail("shm_open")
        os.ftruncate(fd, a.size)
        m = mmap.mmap(fd, a.size)
        m[:] = b"\x01" * a.size  # every page allocated: allocated bytes = size
        if a.hold == "map":
            os.close(fd)
            keep.append(m)
        else:
            m.close()
            keep.append(fd)
        if a.unlink and libc.shm_unlink(name) != 0:
            fail("shm_unlink")
    elif a.kind == "sem":
        sem = libc.sem_open(name, os.O_CREAT, 0o600, a.value)
        if sem in (None, ctypes.c_void_p(-1).value):
            fail("sem_open")
        keep.append(sem)
    else:
        attr = MqAttr(0, a.maxmsg, a.msgsize, 0)
        q = libc.mq_open(name, os.O_CREAT | os.O_RDWR, 0o600, ctypes.byref(attr))
        if q < 0:
            fail("mq_open")
        for i in range(a.messages):
            body = f"message {i}".encode()
            if libc.mq_send(q, body, len(body), 0) != 0:
                fail("mq_send")
        keep.append(q)
    if a.ready:
        open(a.ready, "w").close()
    if a.hold:
        signal.pause()


if __name__ == "__main__":
    main()
