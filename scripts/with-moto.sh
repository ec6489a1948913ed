#!/usr/bin/env bash
# Runs a command with a moto server (DynamoDB + Secrets Manager) on loopback, and stops the
# server when the command ends, however it ends. The command sees AWS_ENDPOINT_URL and dummy
# credentials, so every AWS SDK call goes to moto and none can reach AWS.
#   scripts/with-moto.sh cargo test --workspace
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
moto="$here/.venv/bin/moto_server"
[ -x "$moto" ] || { echo "moto is not installed: run 'make venv'" >&2; exit 1; }

port=${MOTO_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
log=$(mktemp -t moto.XXXXXX.log)
"$moto" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$moto_pid" 2>/dev/null || { echo "moto failed to start:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.2
done

export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN
"$@"
