#!/usr/bin/env bash
# Builds vigie's static binary, then its container image from that binary
# (no base image is pulled: see deploy/Containerfile).
#
#   deploy/build-image.sh              # dist/vigie-linux-amd64 and the image vigie:VERSION
#   deploy/build-image.sh --binary     # the binary only
#
# Environment:
#   VERSION     the version `vigie version` prints (default: git describe)
#   GOARCH      the target architecture (default: this machine's)
#   DIST        the directory the binary is written to (default: dist)
#   IMAGE       the image's name (default: vigie:VERSION, also tagged vigie:latest,
#               the image deploy/compose.yaml runs)
#   CONTAINER   the command that builds images, with its global options
#               (default: podman; "docker" works too)
#   CA_BUNDLE   the CA certificates copied into the image
#               (default: /etc/ssl/certs/ca-certificates.crt, Debian's ca-certificates)
set -euo pipefail
cd "$(dirname "$0")/.."

binary_only=false
case "${1:-}" in
  --binary) binary_only=true ;;
  "") ;;
  *) echo "usage: $0 [--binary]" >&2; exit 2 ;;
esac

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
goarch=${GOARCH:-$(go env GOARCH)}
bin=${DIST:-dist}/vigie-linux-$goarch

# Static (no libc), reproducible paths, the version stamped in, and Go's
# copy of the time zone database embedded: the image has no /usr/share/zoneinfo
# and schedule.timezone must still resolve.
mkdir -p "$(dirname "$bin")"
CGO_ENABLED=0 GOOS=linux GOARCH=$goarch go build -trimpath -tags timetzdata \
  -ldflags "-s -w -X main.version=$version" -o "$bin" ./cmd/vigie
echo "built $bin ($version)"
$binary_only && exit 0

ca=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
if [ ! -s "$ca" ]; then
  echo "$ca is missing: install Debian's ca-certificates (apt-get install ca-certificates) or set CA_BUNDLE" >&2
  exit 1
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$bin" "$ctx/vigie"
cp "$ca" "$ctx/ca-certificates.crt"
mkdir -p "$ctx/data" "$ctx/skel/run" "$ctx/skel/var/lib"
printf 'root:x:0:0:root:/root:/sbin/nologin\nvigie:x:65532:65532:vigie:/var/lib/vigie:/sbin/nologin\n' >"$ctx/passwd"
printf 'root:x:0:\nvigie:x:65532:\n' >"$ctx/group"
chmod 0755 "$ctx/vigie" "$ctx/data" "$ctx/skel" "$ctx/skel/run" "$ctx/skel/var" "$ctx/skel/var/lib"
chmod 0644 "$ctx/ca-certificates.crt" "$ctx/passwd" "$ctx/group"

# An image tag allows [A-Za-z0-9_.-]: a version from git describe may hold '+'.
tags=(-t "${IMAGE:-vigie:$(printf '%s' "$version" | tr -c 'A-Za-z0-9_.-' '_')}")
[ -n "${IMAGE:-}" ] || tags+=(-t vigie:latest)
# CONTAINER may carry global options (podman --storage-driver=vfs ...): split it.
read -r -a container <<<"${CONTAINER:-podman}"
"${container[@]}" build --build-arg "VERSION=$version" -f deploy/Containerfile "${tags[@]}" "$ctx"
echo "built image ${tags[*]}"
