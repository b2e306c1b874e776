#!/usr/bin/env bash
# Measures the central store (README "Fleet") on a throw-away PostgreSQL 15 on this machine:
# H hosts of 5-minute snapshots over D days (~1,000 objects each, 5 % daily churn, bench/HistoryGenerator),
# shipped to the server as their backlog, then with --copies N multiplied inside the server
# (bench/fleet-clone.sql: every host gets N exact copies, so H x (N + 1) hosts are on the server); then
#   * `report` over the whole window read from the server (median wall, largest peak RSS of R runs),
#   * shipping one steady-state snapshot: a generated host of its own (steady01) has its day on the server
#     but for its newest snapshot; shipping that is one snapshot of a ~1,000-object host. The server's cost is its
#     planning and execution time for that ship's statements (pg_stat_statements, on a server with fsync
#     on), beside the wall time of the whole `ship` process,
#   * the server database's size per host-day.
# The issue's target is 1,000 hosts x 7 days (report < 30 s, RSS < 500 MB, ship < 50 ms of server time).
#
#   bench/fleet-bench.sh [--hosts 10] [--days 7] [--copies 0] [--runs 3] [--dir /tmp/ipcaudit-fleet-bench]
#                        [--bin IPCAUDIT] [--spool FILE]
#
# --spool ships a history generated earlier (its window is taken from its snapshots) instead of generating.
set -euo pipefail
cd "$(dirname "$0")/.."

hosts=10 days=7 copies=0 runs=3 dir=/tmp/ipcaudit-fleet-bench cli= spool=
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --copies) copies=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --bin) cli=$2; shift 2 ;;
    --spool) spool=$(realpath "$2"); shift 2 ;;
    *) echo "usage: $0 [--hosts N] [--days D] [--copies N] [--runs N] [--dir DIR] [--bin IPCAUDIT] [--spool FILE]" >&2; exit 2 ;;
  esac
done

if [ ! -x /usr/bin/time ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; fi
rm -rf "$dir"; mkdir -p "$dir"

echo "== build (Release)"
if [ -z "$cli" ]; then
  dotnet build -c Release src/IpcAudit.Cli/IpcAudit.Cli.csproj -v q -nologo | tail -1
  cli=src/IpcAudit.Cli/bin/Release/net10.0/ipcaudit
fi
dotnet build -c Release bench/HistoryGenerator/HistoryGenerator.csproj -v q -nologo | tail -1
generator=bench/HistoryGenerator/bin/Release/net10.0/HistoryGenerator

echo "== server"
pg="$dir/pg"
eval "$(tests/pg/start-server "$pg")"
trap 'tests/pg/start-server --stop "$pg"' EXIT
# A server as production runs it: durable commits (the test server turns fsync off), a quarter of the
# memory for shared buffers (the usual advice; the default 128 MB holds under a tenth of a fleet-week), and
# pg_stat_statements to tell the server's own time per statement.
buffers_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 4096 ))
{ echo "fsync = on"; echo "shared_buffers = ${buffers_mb}MB"; echo "shared_preload_libraries = 'pg_stat_statements'"
  echo "pg_stat_statements.track_planning = on"; } >>"$pg/data/postgresql.conf"
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pg/data" -l "$pg/server.log" -m fast -w restart >/dev/null
sock=$(sed -E 's/.*Host=([^;]*).*/\1/' <<<"$IPCAUDIT_TEST_PG")
port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$IPCAUDIT_TEST_PG")
psql() { runuser -u postgres -- /usr/bin/psql -h "$sock" -p "$port" -U postgres -XAtq "$@"; }
psql -c "CREATE DATABASE fleetbench"
psql -d fleetbench -c "CREATE EXTENSION pg_stat_statements"
server="postgresql://postgres@/fleetbench?host=$sock&port=$port"

if [ -z "$spool" ]; then
  echo "== generate $hosts hosts x $days days"
  end=$(date -u +%Y-%m-%dT%H:00:00Z)
  /usr/bin/time -f "   generator: %e s wall, %M KB peak RSS" \
    "$generator" --db "$dir/spool.db" --hosts "$hosts" --days "$days" --seed 1 --end "$end" | sed 's/^/   /'
  since=$(date -u -d "$end - $days days" +%Y-%m-%dT%H:%M:%SZ)
else
  cp "$spool" "$dir/spool.db"
  read -r hosts first last < <(sqlite3 -separator ' ' "$dir/spool.db" \
    "SELECT count(DISTINCT host), min(taken_at) / 1000, max(taken_at) / 1000 + 1 FROM snapshots JOIN contexts USING (context_id)")
  since=$(date -u -d "@$first" +%Y-%m-%dT%H:%M:%SZ) end=$(date -u -d "@$last" +%Y-%m-%dT%H:%M:%SZ)
  days=$(( (last - first + 43200) / 86400 ))
  echo "== reuse $spool: $hosts hosts, $since .. $end (~$days days)"
fi

echo "== ship the backlog"
/usr/bin/time -f "   ship: %e s wall, %M KB peak RSS" "$cli" ship --db "$dir/spool.db" --to "$server"
if [ "$copies" -gt 0 ]; then
  echo "== copy every host $copies times inside the server (bench/fleet-clone.sql)"
  /usr/bin/time -f "   copies: %e s wall" runuser -u postgres -- /usr/bin/psql -h "$sock" -p "$port" -U postgres -XAtq -d fleetbench \
    -v copies="$copies" <bench/fleet-clone.sql 2>&1 | grep -v NOTICE || true
  hosts=$((hosts * (copies + 1)))
fi
size=$(psql -d fleetbench -c "SELECT pg_database_size('fleetbench')")
snapshots=$(psql -d fleetbench -c "SELECT count(*) FROM snapshots")
states=$(psql -d fleetbench -c "SELECT (SELECT count(*) FROM shm_states) + (SELECT count(*) FROM sem_states) + (SELECT count(*) FROM msg_states)")
echo "   server: $hosts hosts, $snapshots snapshots, $states state rows, $((size / 1048576)) MiB; $((size / hosts / days / 1024)) KiB per host-day"

echo "== report --since ${days}d from the server, $runs runs"
walls=() rss=0
for i in $(seq "$runs"); do
  # The window is the generated one, ending at --end.
  /usr/bin/time -o "$dir/time" -f "%e %M" "$cli" report --db "$server" --since "$since" --until "$end" \
    --format json --output "$dir/report.json" 2>"$dir/report.err" || { cat "$dir/report.err"; exit 1; }
  out=$(tail -1 "$dir/time")
  walls+=("${out% *}"); kb=${out#* }; [ "$kb" -gt "$rss" ] && rss=$kb
  echo "   run $i: ${out% *} s wall, $((kb / 1024)) MB peak RSS"
done
median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "   report: median $median s wall over $hosts hosts (target < 30 s for 1,000), peak RSS $((rss / 1024)) MB (target < 500 MB)"

echo "== ship one steady-state snapshot"
# A host of its own (steady01) whose day is on the server but for its newest snapshot: a ~1,000-object
# host's next 5 minutes, shipped from its own spool as its collector would.
"$generator" --db "$dir/steady.db" --hosts 1 --days 1 --seed 7 --prefix steady --end "$end" >/dev/null
cp "$dir/steady.db" "$dir/held.db"
"$cli" prune --db "$dir/held.db" --snapshot "$(sqlite3 "$dir/steady.db" "SELECT max(snapshot_id) FROM snapshots")" >/dev/null
"$cli" ship --db "$dir/held.db" --to "$server" >/dev/null
psql -d fleetbench -c "SELECT pg_stat_statements_reset()" >/dev/null
/usr/bin/time -o "$dir/time" -f "%e" "$cli" ship --db "$dir/steady.db" --to "$server"
read -r server_ms calls < <(psql -d fleetbench -F ' ' -c "SELECT round(sum(total_exec_time + total_plan_time)::numeric, 1), sum(calls)
  FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'fleetbench') AND query NOT LIKE '%pg_stat_statements%'")
echo "   ship of one snapshot: $server_ms ms of server time (planning and execution, pg_stat_statements) in $calls statements (target < 50 ms);"
echo "   $(tail -1 "$dir/time") s wall of the whole ship process (start, connect, compare, copy, commit)"
