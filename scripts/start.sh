#!/usr/bin/env bash
# Sets up and starts Reelflow: the runtime API and the designer on http://127.0.0.1:8080.
# Installs what is missing, builds, brings up a local Docker engine in swarm mode when it
# can (root, Debian) and builds the ffmpeg image; otherwise runs with the local executor.
set -uo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8080}"

bash scripts/setup.sh || { echo "start.sh: could not install system packages" >&2; exit 1; }
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || { echo "start.sh: npm ci failed" >&2; exit 1; }
fi
npm run build || { echo "start.sh: build failed" >&2; exit 1; }

executor="${REELFLOW_EXECUTOR:-}"
if [ -z "$executor" ]; then
  if bash scripts/engine.sh && bash scripts/build-image.sh; then
    executor=swarm
  else
    executor=local
    echo "start.sh: no usable Docker swarm here; using the local executor (ffmpeg child processes)"
  fi
fi
exec node apps/runtime/bin/reelflow.js serve --port "$port" --host 127.0.0.1 --executor "$executor" "$@"
