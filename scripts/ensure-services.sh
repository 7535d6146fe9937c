#!/usr/bin/env bash
# Start PostgreSQL and Redis if they are not answering; the test suite needs both.
set -euo pipefail

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
redis_up() { [ "$(printf 'PING\r\n' | timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379; cat >&3; head -c 7 <&3' 2>/dev/null)" = "+PONG"$'\r' ]; }

if ! pg_up; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
if ! redis_up; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
for _ in $(seq 1 50); do pg_up && redis_up && exit 0; sleep 0.2; done
echo "PostgreSQL or Redis did not come up" >&2
exit 1
