#!/usr/bin/env bash
# Install the host tools Reelstage needs, with apt, when they are missing.
#   runtime: ffmpeg (ffprobe checks stage outputs), debootstrap (OS base image without a registry)
#   test:    runtime + espeak-ng, flite, sox (test speech), busybox-static (tiny test images),
#            chromium + chromium-driver (report and dashboard tests), iproute2 (the swarm tests'
#            network namespaces)
set -euo pipefail

case "${1:-runtime}" in
    runtime) packages=(ffmpeg debootstrap) ;;
    test) packages=(ffmpeg espeak-ng flite sox busybox-static debootstrap chromium chromium-driver iproute2) ;;
    *) echo "usage: $0 [runtime|test]" >&2; exit 2 ;;
esac

# test also: apertium and its en→es/ca, fr→es/ca pairs (srt_generation's translation tests)
if [ "${1:-runtime}" = test ]; then
    packages+=(apertium apertium-eng-spa apertium-eng-cat apertium-fr-es apertium-fra-cat)
fi

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "ensure-host-tools: missing ${missing[*]}: install them (as root: apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "ensure-host-tools: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
