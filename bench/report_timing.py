#!/usr/bin/env python3
"""Times `ipcaudit report` over a generated history: each window in each format, interleaved rounds.

The history comes from bench/HistoryGenerator (the report's own generator); this only times the
reads. Wall time, CPU and peak RSS are taken as bench/measure.py takes them. Writes one JSON document.
"""
import argparse
import json
import os
import shutil

from measure import Measurement

FORMATS = ("table", "csv", "json", "html")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--bin", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--windows", default="7d 90d")
    p.add_argument("--out", required=True)
    a = p.parse_args()

    def command(window, fmt):
        argv = [a.bin, "report", "--db", a.db, "--since", window, "--format", fmt]
        if fmt == "csv":
            folder = os.path.join(a.work, f"csv-{window}")
            shutil.rmtree(folder, ignore_errors=True)
            argv += ["--output", folder]
        elif fmt != "table":
            argv += ["--output", os.path.join(a.work, f"report-{window}.{fmt}")]
        return [argv]

    measurements = [Measurement(f"report --since {w} --format {f}", lambda w=w, f=f: command(w, f))
                    for w in a.windows.split() for f in FORMATS]
    for m in measurements:
        m.run(record=False)
    for r in range(a.rounds):
        k = r % len(measurements)
        for m in measurements[k:] + measurements[:k]:
            m.run()
    for m in measurements:
        m.measure_rss(a.work)

    with sqlite_stats(a.db) as stats:
        result = dict(db_bytes=os.path.getsize(a.db), **stats, results={m.name: m.summary() for m in measurements})
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)


class sqlite_stats:
    """Snapshot, object and state-row counts of the history, after a WAL checkpoint (so the file size is all of it)."""

    def __init__(self, db):
        import sqlite3
        self.c = sqlite3.connect(db)

    def __enter__(self):
        self.c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        q = lambda sql: self.c.execute(sql).fetchone()[0]  # noqa: E731
        return dict(snapshots=q("SELECT count(*) FROM snapshots"), objects=q("SELECT count(*) FROM objects"),
                    state_rows=sum(q(f"SELECT count(*) FROM {k}_states") for k in ("shm", "sem", "msg")))

    def __exit__(self, *_):
        self.c.close()


if __name__ == "__main__":
    main()
