#!/usr/bin/env python3
"""Turns bench/measure.py's JSON documents (one per object count) into the Markdown tables of docs/BENCHMARKS.md."""
import argparse
import json
import os
import platform
import subprocess

ROWS = [("collect-first", "ipcaudit collect, first snapshot (empty database)"),
        ("collect-steady", "ipcaudit collect, steady state"),
        ("ipcs-six", "ipcs -a -p -t -c -u -l (six runs)"),
        ("lsipc-four", "lsipc -m -s -q -g --json (four runs)"),
        ("floor", "floor: cat /proc/sysvipc/* /proc/*/maps")]


def machine():
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    load = open("/proc/loadavg").read().split()[:3]
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({model}), kernel {platform.release()}, .NET SDK {dotnet}, load average at the end {' '.join(load)}"


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--build", default="?")
    p.add_argument("results", nargs="*")
    a = p.parse_args()
    docs = sorted((json.load(open(f)) for f in a.results), key=lambda d: d["n"])
    by_n = {d["n"]: d for d in docs}
    extra = sorted({k for d in docs for k in d["results"]} - {k for k, _ in ROWS})

    print(f"Machine: {machine()}. ipcaudit build: {a.build}.\n")
    print("Median wall time in ms (min-max) over interleaved rounds; peak RSS in MiB (`/usr/bin/time -f %M`, largest of a group).\n")
    print("| N per kind (objects) | measurement | rounds | median ms | min-max ms | median CPU ms | peak RSS MiB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for d in docs:
        for key, label in ROWS + [(k, f"variant {k}: steady-state collect") for k in extra]:
            r = d["results"].get(key)
            if r:
                print(f"| {d['n']:,} ({3 * d['n']:,}) | {label} | {len(r['walls_ms'])} | {r['median_ms']:.1f} | "
                      f"{r['min_ms']:.1f}-{r['max_ms']:.1f} | {r['median_cpu_ms']:.1f} | {r['peak_rss_kb'] / 1024:.1f} |")

    print("\nRatios of medians, same run (targets: idle (N = 3) steady collect <= 20 ms; at N = 3,000 steady / lsipc-four <= 1.0, steady / ipcs-six <= 0.25):\n")
    print("| N per kind | first / ipcs-six | steady / ipcs-six | steady / lsipc-four | steady / floor | bytes per unchanged snapshot |")
    print("|---:|---:|---:|---:|---:|---:|")
    for d in docs:
        r = {k: v["median_ms"] for k, v in d["results"].items()}
        s = d["storage"]
        print(f"| {d['n']:,} | {r['collect-first'] / r['ipcs-six']:.2f} | {r['collect-steady'] / r['ipcs-six']:.2f} | "
              f"{r['collect-steady'] / r['lsipc-four']:.2f} | {r['collect-steady'] / r['floor']:.2f} | "
              f"{s['bytes_per_snapshot']:.0f} (over {s['snapshots']}) |")

    if 1000 in by_n and 3000 in by_n:
        slopes(by_n, extra, "median_ms", "Marginal cost per IPC object (slope of the median between N = 1,000 and 3,000, "
               "i.e. 6,000 more objects)", "µs per object")
        slopes(by_n, extra, "median_cpu_ms", "The same slope from median CPU time (user + system), which other load on "
               "the machine disturbs less", "µs CPU per object")

    for d in docs:
        if d["n"] == max(by_n):
            print(f"\nWhere steady-state collect spends its time at N = {d['n']:,} (median of each step over "
                  f"{d['storage']['snapshots_before'] + d['storage']['snapshots']} snapshots, from snapshot_steps):\n")
            print("| step | ms |")
            print("|---|---:|")
            for step, ms in d["steps_ms"].items():
                print(f"| {step} | {ms:.1f} |")
            print(f"| all steps | {sum(d['steps_ms'].values()):.1f} |")
            print(f"\nObjects made: {d['made']}; first-snapshot database {d['storage']['first_snapshot_db_bytes']:,} bytes.")
    problems = [f"N={d['n']}: {p}" for d in docs for p in d["problems"]]
    if problems:
        print("\nPROBLEMS: " + "; ".join(problems))


def slopes(by_n, extra, field, title, unit):
    print(f"\n{title}:\n")
    print(f"| measurement | {unit} |")
    print("|---|---:|")
    for key, label in ROWS + [(k, f"variant {k}") for k in extra]:
        if key in by_n[1000]["results"] and key in by_n[3000]["results"]:
            slope = (by_n[3000]["results"][key][field] - by_n[1000]["results"][key][field]) * 1000 / 6000
            print(f"| {label} | {slope:.1f} |")


if __name__ == "__main__":
    main()
