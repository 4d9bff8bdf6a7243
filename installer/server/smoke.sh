#!/usr/bin/env bash
# Installs the service center from the built wheel into a fresh virtual environment, as a
# service center's administrator would, and checks that it migrates, takes a user and
# answers on loopback. Usage: installer/server/smoke.sh dist/fieldkit-VERSION-py3-none-any.whl
set -euo pipefail
wheel=$(realpath "$1")
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
# (pip's notes about unreachable extra indexes are noise here; real errors still show.)
"$work/venv/bin/pip" install -q "fieldkit[server] @ file://$wheel" 2> >(grep -v "^WARNING: Location" >&2)
server=("$work/venv/bin/fieldkit-server" --data-dir "$work/data")
"${server[@]}" migrate
echo "smoke-test-password" | "${server[@]}" create-user engineer1 --password-stdin
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${server[@]}" serve --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1)" 2>/dev/null; then
    # The console's templates and static files are package data: the wheel must carry them.
    python3 -c "import urllib.request as u; b=u.urlopen('http://127.0.0.1:$port/console/login', timeout=5).read().decode(); assert 'FieldKit' in b and 'login_token' in b; u.urlopen('http://127.0.0.1:$port/console/static/console.css', timeout=5)"
    echo "service center from $(basename "$wheel"): migrated, user created, healthy on :$port, console served"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
cat "$work/serve.log" >&2
echo "service center did not become healthy" >&2
exit 1
