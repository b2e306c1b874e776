#!/usr/bin/env bash
# Measures `ipcaudit collect` across many IPC namespaces (containers): K namespaces made with
# `unshare --ipc`, each holding N objects of each kind (bench/make_objects.py: a quarter of the
# segments attached by sleepers, which keep the namespace alive), all inside a PID namespace with its
# own /proc so only these are found. Times `collect --namespaces self` (the collector's own, empty
# namespace) and `--namespaces all` R times each, interleaved, into databases of their own, and
# prints the medians and the cost per namespace, (all - self) / K. Fails if a collect fails or
# stores another number of namespaces than K + 1.
#
#   bench/namespaces-bench.sh [--namespaces 50] [--n 34] [--rounds 7] [--bin IPCAUDIT] [--dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

k=50 n=34 rounds=7 dir=/tmp/ipcaudit-bench-namespaces cli=
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --namespaces) k=$2; shift 2 ;;
    --n) n=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --bin) cli=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 [--namespaces K] [--n N] [--rounds R] [--bin IPCAUDIT] [--dir DIR]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "namespaces-bench: needs root (unshare, setns)" >&2; exit 2; }
if [ -z "${IPCAUDIT_BENCH_INNER:-}" ]; then
  exec unshare --ipc --pid --fork --mount-proc env IPCAUDIT_BENCH_INNER=1 "$0" "${args[@]}"
fi
if [ -z "$cli" ]; then
  dotnet build src/IpcAudit.Cli -c Release -o "$dir/build" >/dev/null
  cli="$dir/build/ipcaudit"
fi

rm -rf "$dir/work"; mkdir -p "$dir/work"
pids=$dir/work/sleepers.pids
trap '[ -f "$pids" ] && while read -r p; do kill -9 "$p" 2>/dev/null || true; done < "$pids"' EXIT
touch "$pids"
for i in $(seq "$k"); do
  # One at a time (50 at once starve each other's sleepers on a loaded machine); a sleeper of its own
  # keeps each namespace alive whatever make_objects leaves attached.
  unshare --ipc bash -c "python3 bench/make_objects.py --n $n --pidfile '$pids' --sleeper-seconds 1800 > '$dir/work/made.$i' 2>&1 && touch '$dir/work/ready.$i' && exec sleep 1800" &
  echo $! >> "$pids"
  for _ in $(seq 600); do [ -e "$dir/work/ready.$i" ] || ! kill -0 $! 2>/dev/null && break; sleep 0.1; done
  [ -e "$dir/work/ready.$i" ] || { echo "namespaces-bench: make_objects failed in namespace $i: $(cat "$dir/work/made.$i")" >&2; exit 1; }
done

declare -a self_ms all_ms
run() { # run NAME DB OPTIONS: one collect, its wall time in ms appended to NAME_ms
  local start end
  start=$(date +%s%N)
  IPCAUDIT_NAMESPACES= "$cli" collect --db "$2" --quiet --json $3 > "$dir/work/$1.json"
  end=$(date +%s%N)
  eval "$1_ms+=($(( (end - start) / 1000000 )))"
}
# One warm-up each (creates the database, loads the files), then interleaved rounds.
run self "$dir/work/self.db" "--namespaces self"; self_ms=()
run all "$dir/work/all.db" "--namespaces all"; all_ms=()
stored=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d) if isinstance(d, list) else 1)' "$dir/work/all.json")
[ "$stored" = $((k + 1)) ] || { echo "namespaces-bench: collect stored $stored namespaces, expected $((k + 1))" >&2; exit 1; }
for r in $(seq "$rounds"); do
  run self "$dir/work/self.db" "--namespaces self"
  run all "$dir/work/all.db" "--namespaces all"
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms_self=$(median "${self_ms[@]}")
ms_all=$(median "${all_ms[@]}")
echo
echo "### collect across $k IPC namespaces of $n objects of each kind ($rounds rounds, median wall time)"
echo
echo "| collect | ms |"
echo "|---|---:|"
echo "| \`--namespaces self\` (own namespace, empty) | $ms_self |"
echo "| \`--namespaces all\` ($((k + 1)) namespaces, $((k * n * 3)) objects) | $ms_all |"
echo "| per namespace, (all - self) / $k | $(awk -v a="$ms_all" -v s="$ms_self" -v k="$k" 'BEGIN { printf "%.1f", (a - s) / k }') |"
