#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds, starts the
# Docker engine (swarm mode) and the ffmpeg image, then runs lint, unit/integration tests
# (vitest) and the browser tests (Playwright in Debian's Chromium).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mkdir -p .tmp
started_engine=0

step() { printf '\n== %s\n' "$*"; }
fail() { echo "test.sh: $*" >&2; exit 1; }

step "system packages"
bash scripts/setup.sh || fail "could not install system packages"

step "npm ci"
if [ "${CI:-}" = "true" ] || [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || fail "npm ci failed"
fi

step "build"
npm run build || fail "build failed"

step "docker engine"
if [ ! -S /var/run/docker.sock ] || ! docker info >/dev/null 2>&1; then started_engine=1; fi
bash scripts/engine.sh || echo "test.sh: no Docker engine; swarm tests will fail"
bash scripts/build-image.sh || echo "test.sh: could not build the ffmpeg image"

cleanup() {
  if [ "$started_engine" = 1 ]; then bash scripts/engine.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

status=0
failed_steps=()
mark() { status=1; failed_steps+=("$1"); }
step "lint"
npm run lint || mark lint

step "unit and integration tests (vitest)"
# Tests that stop the shared Docker engine or build a three-engine cluster run on their own
# afterwards, one file at a time, so they cannot disturb the others.
isolated=(apps/runtime/test/reliability apps/runtime/test/cluster)
npx vitest run --reporter=default --reporter=json --outputFile=.tmp/vitest.json \
  --exclude='apps/runtime/test/reliability/**' --exclude='apps/runtime/test/cluster/**' || mark vitest
step "fault and cluster tests (vitest, one file at a time)"
npx vitest run --no-file-parallelism --reporter=default --reporter=json \
  --outputFile=.tmp/vitest-isolated.json "${isolated[@]}" || mark "fault and cluster tests"

step "browser tests (playwright, chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME="$root/.tmp/playwright.json" npx playwright test -c e2e/playwright.config.ts \
  --reporter=list,json || mark playwright

step "summary"
node scripts/summarize-tests.mjs .tmp/vitest.json .tmp/vitest-isolated.json .tmp/playwright.json || status=1
if [ ${#failed_steps[@]} -gt 0 ]; then echo "test.sh: failed steps: ${failed_steps[*]}"; fi
exit $status
