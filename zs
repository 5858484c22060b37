#!/usr/bin/env bash
# Zhaoshang's two set-up commands (README):
#   ./zs run    install what is needed, then run the whole platform (all services + gateway)
#   ./zs test   install what is needed, then run the whole test suite
# Both are idempotent: a second call installs nothing new.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY=${ZS_PYTHON:-python3}

say() { printf '[zs] %s\n' "$*" >&2; }

ensure_python_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    "$PY" -m venv "$VENV"
  fi
  local stamp
  stamp=$(sha256sum pyproject.toml | cut -c1-16)
  if [ "$(cat "$VENV/.zs-installed" 2>/dev/null)" != "$stamp" ]; then
    say "installing the pinned dependencies"
    # (this machine's pip config names local package folders that may be absent: hide those notices)
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -e '.[test]' 2>&1 \
      | { grep -v "^WARNING: Location 'file:" || true; } >&2
    [ "${PIPESTATUS[0]}" = 0 ] || { say "dependency install failed"; exit 1; }
    echo "$stamp" > "$VENV/.zs-installed"
  fi
}

port_open() { "$VENV/bin/python" - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
PY
}

wait_port() {  # host port seconds what
  for _ in $(seq 1 "$3"); do port_open "$1" "$2" && return 0; sleep 1; done
  say "$4 is not answering on $1:$2"; return 1
}

ensure_rabbitmq() {
  local host=${ZS_RABBIT_HOST:-127.0.0.1}
  if ! port_open "$host" 5672; then
    if command -v rabbitmq-server >/dev/null; then
      say "starting RabbitMQ"
      rabbitmq-server -detached || true
    fi
    wait_port "$host" 5672 90 "RabbitMQ"
  fi
}

ensure_postgresql() {  # tests that prove PostgreSQL paths (audit trail triggers, …) use the local server
  if ! port_open 127.0.0.1 5432; then
    if command -v pg_ctlcluster >/dev/null; then
      say "starting PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    fi
    wait_port 127.0.0.1 5432 60 "PostgreSQL"
  fi
}

ensure_rabbitmq_management() {  # the tests make a vhost per test through the management API
  local host=${ZS_RABBIT_HOST:-127.0.0.1}
  if ! port_open "$host" 15672; then
    say "enabling RabbitMQ's management plugin"
    rabbitmq-plugins enable rabbitmq_management >/dev/null
    wait_port "$host" 15672 60 "RabbitMQ management"
  fi
}

CJK_FONTS="fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming"
ensure_cjk_font() {  # official documents' PDFs embed Chinese fonts (shared/gongwen.py: 楷体 for 仿宋, 明体 for 宋, 黑体)
  if { [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || [ ! -f /usr/share/fonts/truetype/arphic/ukai.ttc ] \
       || [ ! -f /usr/share/fonts/truetype/arphic/uming.ttc ]; } && command -v apt-get >/dev/null; then
    say "installing Debian's $CJK_FONTS (Chinese fonts for PDF documents)"
    # shellcheck disable=SC2086  # the package names are words
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $CJK_FONTS >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq $CJK_FONTS >/dev/null; fi
  fi
}

ensure_compose_validator() {  # validates docker-compose.yml and the TLS proxy's Caddyfile without an engine
  if ! command -v docker-compose >/dev/null || ! command -v caddy >/dev/null; then  # (tests/unit/test_compose.py)
    say "installing Debian's docker-compose and caddy (to validate the compose file and the Caddyfile)"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq docker-compose caddy >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq docker-compose caddy >/dev/null; fi
  fi
}

ensure_browser() {  # the browser tests (tests/browser) drive Debian's chromium with Playwright; CJK fonts for the pages
  if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then
    say "installing Debian's chromium and fonts-noto-cjk (browser tests; Playwright's own download is not used)"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; fi
  fi
}

# run_shards "name|[VAR=value ...] pytest-args" ...: pytest once per shard, ZS_TEST_JOBS (default: all) at a
# time; each shard's output is printed whole when it ends; fails if any shard failed
run_shards() {
  local out jobs=${ZS_TEST_JOBS:-$#} started=$SECONDS failed=()
  out=$(mktemp -d "${TMPDIR:-/tmp}/zs-test.XXXXXX")
  say "running ${#} test shards, ${jobs} at a time (outputs in $out)"
  local spec name args
  local -a pids=() names=()
  for spec in "$@"; do
    name=${spec%%|*}; args=${spec#*|}
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
    ( set +e; t0=$SECONDS
      # shellcheck disable=SC2086  # args are words: VAR=value assignments, then pytest's arguments
      env $(printf '%s\n' $args | grep '=' || true) "$VENV/bin/python" -m pytest -q -ra --durations=15 \
        --basetemp="$out/$name.tmp" $(printf '%s\n' $args | grep -v '=') >"$out/$name.log" 2>&1
      rc=$?; echo "$rc $((SECONDS - t0))" >"$out/$name.rc" ) &
    pids+=($!); names+=("$name")
  done
  wait "${pids[@]}" || true
  for name in "${names[@]}"; do
    read -r rc secs <"$out/$name.rc"
    printf '\n===== shard %s: exit %s after %ss =====\n' "$name" "$rc" "$secs"
    cat "$out/$name.log"
    [ "$rc" = 0 ] || failed+=("$name")
  done
  say "all shards done in $((SECONDS - started))s"
  if [ ${#failed[@]} -gt 0 ]; then say "failed shard(s): ${failed[*]}"; return 1; fi
}

case "${1:-}" in
  run)
    shift
    ensure_python_env
    ensure_rabbitmq
    ensure_cjk_font
    exec "$VENV/bin/zhaoshang" run "$@"
    ;;
  test)
    shift
    ensure_python_env
    ensure_rabbitmq
    ensure_rabbitmq_management
    ensure_postgresql
    ensure_cjk_font
    ensure_compose_validator
    ensure_browser
    if [ $# -gt 0 ]; then exec "$VENV/bin/python" -m pytest "$@"; fi
    # the whole suite on the embedded default (SQLite), and the integration tests again with every service
    # on PostgreSQL, with the end-to-end tests whose queries differ by database (the demo's whole lifecycle,
    # the ledger's filters and sorts); the other end-to-end tests exercise the gateway over the same RPCs.
    # Shards run side by side (each test has its own vhost and databases); the two PostgreSQL shards are
    # balanced by moving the scale-out test to the second
    run_shards \
      "unit+api+browser|tests/unit tests/api tests/bench tests/browser" \
      "bus-sqlite|tests/integration tests/e2e" \
      "bus-postgresql-integration|ZS_TEST_DATABASE=postgresql tests/integration --ignore tests/integration/test_scale_out.py" \
      "bus-postgresql-e2e|ZS_TEST_DATABASE=postgresql tests/integration/test_scale_out.py tests/e2e/test_demo.py tests/e2e/test_ledger_api.py"
    ;;
  faults)
    # the fault suite, alone (it kills services and restarts RabbitMQ and PostgreSQL): docs/RELIABILITY.md
    shift
    ensure_python_env
    ensure_rabbitmq
    ensure_rabbitmq_management
    ensure_postgresql
    exec "$VENV/bin/python" -m pytest -q -ra tests/faults "$@"
    ;;
  *)
    echo "usage: ./zs run | ./zs test [pytest args] | ./zs faults" >&2
    exit 2
    ;;
esac
