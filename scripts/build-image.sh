#!/usr/bin/env bash
# Build the task image `reelflow/ffmpeg:local` without any registry: a root filesystem holding the
# host's ffmpeg and ffprobe plus every library `ldd` lists, loaded with `docker import`.
# Idempotent: when the image already carries the hash of the current host ffmpeg it does nothing.
# (On clusters that have a registry, docker/Dockerfile builds an equivalent image.)
#
#   scripts/build-image.sh [-H|--host DOCKER_HOST] [--force] [--tag IMAGE]
#
# DOCKER_HOST is honoured too; -H lets tests import the image into another engine.
set -euo pipefail

IMAGE="${REELFLOW_IMAGE:-reelflow/ffmpeg:local}"
HASH_LABEL="reelflow.ffmpeg.hash"
# Bump when the layout of the root filesystem changes, so existing images are rebuilt.
LAYOUT_VERSION=2
FORCE=""

usage() { echo "usage: $0 [-H|--host DOCKER_HOST] [--force] [--tag IMAGE]" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    -H|--host) [ $# -ge 2 ] || usage; export DOCKER_HOST="$2"; shift 2 ;;
    --host=*) export DOCKER_HOST="${1#--host=}"; shift ;;
    --tag) [ $# -ge 2 ] || usage; IMAGE="$2"; shift 2 ;;
    --force) FORCE=1; shift ;;
    -h|--help) usage ;;
    *) echo "build-image: unknown argument '$1'" >&2; usage ;;
  esac
done

FFMPEG="$(type -P ffmpeg || true)"
FFPROBE="$(type -P ffprobe || true)"
TRUE_BIN="$(type -P true)"
CP_BIN="$(type -P cp)"
if [ -z "$FFMPEG" ] || [ -z "$FFPROBE" ]; then
  echo "build-image: ffmpeg/ffprobe not found on this host (run scripts/setup.sh)" >&2
  exit 1
fi
BINARIES=("$FFMPEG" "$FFPROBE" "$TRUE_BIN" "$CP_BIN")

# Every shared object the binaries need, including the dynamic loader (the line without "=>";
# lines ending in ":" are the per-binary headers ldd prints for several arguments).
libraries() {
  ldd "${BINARIES[@]}" 2>/dev/null | awk '
    $2 == "=>" && $3 ~ /^\// { print $3 }
    $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u
}

# Content hash of the binaries, plus path/size/mtime of the libraries (cheap, and changes when a
# library package is upgraded), plus the layout version.
current_hash() {
  {
    echo "layout $LAYOUT_VERSION"
    sha256sum "${BINARIES[@]}"
    libraries | xargs -r stat -L -c '%n %s %Y'
  } | sha256sum | cut -c1-16
}

image_hash() {
  docker image inspect "$IMAGE" --format "{{ index .Config.Labels \"$HASH_LABEL\" }}" 2>/dev/null || true
}

if ! docker version >/dev/null 2>&1; then
  echo "build-image: no Docker engine answers at ${DOCKER_HOST:-the default socket} (run scripts/engine.sh)" >&2
  exit 1
fi

HASH="$(current_hash)"
if [ -z "$FORCE" ] && [ "$(image_hash)" = "$HASH" ]; then
  echo "build-image: $IMAGE is up to date (ffmpeg hash $HASH)"
  exit 0
fi

OLD_ID="$(docker image inspect "$IMAGE" --format '{{.Id}}' 2>/dev/null || true)"
ROOT="$(mktemp -d /tmp/reelflow-rootfs.XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT

# Copy a host file to the same path in the root filesystem, following symlinks so the image
# holds real files under the names the loader looks for.
copy_in() {
  mkdir -p "$ROOT$(dirname "$1")"
  cp -L "$1" "$ROOT$1"
}

mkdir -p "$ROOT/usr/bin" "$ROOT/etc" "$ROOT/data" "$ROOT/tmp"
chmod 1777 "$ROOT/tmp"
for bin in "${BINARIES[@]}"; do cp -L "$bin" "$ROOT/usr/bin/$(basename "$bin")"; done
while read -r lib; do copy_in "$lib"; done < <(libraries)
# Debian's loader lives under /lib/x86_64-linux-gnu while binaries ask for /lib64/...; merged-/usr
# hosts reach both through symlinks, which copy_in has already resolved into real files.
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
# glibc >= 2.34 has files/dns lookups built in; this lets the `http` transfer use host names.
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$ROOT/etc/nsswitch.conf"

tar -C "$ROOT" -c . | docker import \
  --change 'ENTRYPOINT []' \
  --change 'CMD ["ffmpeg", "-version"]' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'WORKDIR /data' \
  --change "LABEL $HASH_LABEL=$HASH" \
  --message "reelflow ffmpeg from host $(hostname) ($("$FFMPEG" -version | head -n1))" \
  - "$IMAGE" >/dev/null

# The replaced image is now untagged; drop it unless a container still uses it.
[ -n "$OLD_ID" ] && docker image rm "$OLD_ID" >/dev/null 2>&1 || true

echo "build-image: imported $IMAGE (ffmpeg hash $HASH, $(du -sh "$ROOT" | cut -f1))"
