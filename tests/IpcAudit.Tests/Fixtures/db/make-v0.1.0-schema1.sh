#!/usr/bin/env bash
# Writes v0.1.0-schema1.db with an ipcaudit built from commit 5d554ea (schema 1), as README.md says.
#   make-v0.1.0-schema1.sh IPCAUDIT OUT.db     (as root: the live part runs in `unshare --ipc`)
set -euo pipefail
bin=$1 db=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
proc=$repo/tests/IpcAudit.Tests/Fixtures/proc
rm -f "$db" "$db-wal" "$db-shm"
export TZ=UTC
"$bin" collect --db "$db" --proc-root "$proc/modern" --at 2026-11-21T06:00:00Z --quiet
"$bin" collect --db "$db" --proc-root "$proc/old-kernel" --at 2026-11-21T06:05:00Z --quiet
# A live private namespace: 20 objects of each kind, a quarter of the segments attached, collected
# twice 5 minutes apart (fixed --at) under a fixed host name, then once more after one sleeper died.
unshare --ipc bash -euo pipefail -c '
  pids=$(mktemp)
  python3 "$0"/bench/make_objects.py --n 20 --pidfile "$pids" --sleeper-seconds 120 >/dev/null
  "$1" collect --db "$2" --host old-live --at 2026-11-21T06:10:00Z --quiet
  "$1" collect --db "$2" --host old-live --at 2026-11-21T06:15:00Z --quiet
  kill "$(head -n1 "$pids")"; sleep 0.5
  "$1" collect --db "$2" --host old-live --at 2026-11-21T06:20:00Z --quiet
  xargs -r kill < "$pids" 2>/dev/null || true
  rm -f "$pids"
' "$repo" "$bin" "$db"
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;' >/dev/null
