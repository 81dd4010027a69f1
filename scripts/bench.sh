#!/usr/bin/env bash
# Every benchmark under bench/, from a fresh clone: installs what is missing, builds, starts
# the Docker engine (swarm mode) and the ffmpeg image, then runs bench/run-all.ts, which
# writes bench/results.json and bench/RESULTS.md.
#
#   scripts/bench.sh [--quick|--full] [run-all options]     (npm run bench -- --quick)
#
# BENCH_MATRIX=quick|full chooses the matrix too (default full: hours on 2 cores); see
# bench/run-all.ts for the options and bench/e2e/matrix.ts for BENCH_DURATIONS, BENCH_SIZES,
# BENCH_PRESETS, BENCH_EXECUTORS and BENCH_REPS.
set -uo pipefail
cd "$(dirname "$0")/.."
started_engine=0

step() { printf '\n== %s\n' "$*" >&2; }
fail() { echo "bench.sh: $*" >&2; exit 1; }

step "system packages"
bash scripts/setup.sh || fail "could not install system packages"

step "npm ci"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # Under the lock other npm users of this checkout take too.
  flock /tmp/npm.lock npm ci --no-audit --no-fund || fail "npm ci failed"
fi

step "build"
npm run build || fail "build failed"

step "docker engine"
if [ ! -S /var/run/docker.sock ] || ! docker info >/dev/null 2>&1; then started_engine=1; fi
if ! bash scripts/engine.sh; then
  echo "bench.sh: no Docker engine; benchmarking the local executor only" >&2
  export BENCH_EXECUTORS="${BENCH_EXECUTORS:-local}"
fi
bash scripts/build-image.sh || echo "bench.sh: could not build the ffmpeg image" >&2

cleanup() {
  if [ "$started_engine" = 1 ]; then bash scripts/engine.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step "benchmarks"
npx tsx --tsconfig bench/e2e/tsconfig.json bench/run-all.ts "$@"
