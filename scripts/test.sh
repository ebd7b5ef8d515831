#!/usr/bin/env bash
# The whole test suite: unit, integration and browser tests, run with `bun test`.
# Browser tests need Debian's chromium; install it here when we can (root with apt), so the README's
# one test command works on a fresh machine.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Debian chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
    || echo "warning: could not install chromium; browser tests will report it"
fi

if ! command -v redis-server >/dev/null && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "installing Debian redis-server for the queue-mode tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null \
    || echo "warning: could not install redis-server; queue-mode tests will report it"
fi

# The browser tests are served the built client.
if [ -f apps/imagegen/vite.config.ts ]; then
  (cd apps/imagegen && bun run build >/dev/null) || { echo "client build failed"; exit 1; }
fi

log=$(mktemp)
bun test --timeout 180000 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+')
failed=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+')
skipped=$(grep -Eo '^ *[0-9]+ skip$' "$log" | tail -1 | grep -Eo '[0-9]+')
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
exit "$status"
