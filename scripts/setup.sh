#!/usr/bin/env bash
# Install the Debian packages Reelflow needs (docker.io, ffmpeg, chromium, iproute2) when they are
# missing. Idempotent and non-interactive: does nothing (not even `apt-get update`) when all are
# present. npm ci / build are done by the callers, not here.
set -euo pipefail

PACKAGES=(docker.io ffmpeg chromium iproute2)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all system packages present (${PACKAGES[*]})"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "setup: missing ${missing[*]}; run this script as root (or: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y "${missing[@]}" </dev/null
echo "setup: installed ${missing[*]}"
