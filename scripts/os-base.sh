#!/usr/bin/env bash
# Print the name of a Debian bookworm OS base image that exists locally, making one if needed.
#   1. $REELSTAGE_OS_BASE if set (pulled if it is not local);
#   2. debian:bookworm-slim if it is local, 3. reelstage/os-base:bookworm if it is local,
#   4. debian:bookworm-slim if `docker pull` works (capped by $PULL_TIMEOUT seconds),
#   5. else build reelstage/os-base:bookworm with debootstrap (needs root) and `docker import`.
# Progress goes to stderr; stdout is only the image name.
set -euo pipefail

SLIM=debian:bookworm-slim
LOCAL_TAG=${REELSTAGE_OS_BASE_TAG:-reelstage/os-base:bookworm}
PULL_TIMEOUT=${PULL_TIMEOUT:-15}

log() { echo "os-base: $*" >&2; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

try_pull() {
    local t0=$SECONDS
    if timeout "$PULL_TIMEOUT" docker pull -q "$1" >/dev/null 2>&1; then
        log "pulled $1 ($((SECONDS - t0)) s)"
        return 0
    fi
    log "docker pull $1 failed after $((SECONDS - t0)) s"
    return 1
}

# The host's Debian mirror URI for a suite family ("debian" or "debian-security"), else deb.debian.org.
host_mirror() {
    local family=$1 uri
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE '(https?|file)://[^ ]+/'"$family"'/?( |$)' | head -n1 | tr -d ' ' || true)
    echo "${uri:-http://deb.debian.org/$family}"
}

build_with_debootstrap() {
    if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null; then
        log "no OS base image: run as root with debootstrap installed (apt-get install debootstrap)," \
            "or set REELSTAGE_OS_BASE to a local Debian bookworm image"
        exit 1
    fi
    local mirror security t0=$SECONDS
    mirror=$(host_mirror debian)
    security=$(host_mirror debian-security)
    ROOTFS=$(mktemp -d /var/tmp/reelstage-rootfs.XXXXXX)
    trap 'rm -rf "$ROOTFS" "$ROOTFS.log"' EXIT
    local root=$ROOTFS
    log "debootstrap --variant=minbase bookworm from $mirror"
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
        { tail -n 20 "$root.log" >&2; exit 1; }
    rm -f "$root.log"
    cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
    # Like the official slim images: no docs/man/locales, no recommends, no .deb cache.
    cat >"$root/etc/dpkg/dpkg.cfg.d/reelstage-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
        >"$root/etc/apt/apt.conf.d/90reelstage-no-recommends"
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb \
        "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
    log "debootstrap done ($((SECONDS - t0)) s); docker import → $LOCAL_TAG"
    tar --numeric-owner -C "$root" -c . |
        docker import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$LOCAL_TAG" >/dev/null
    log "built $LOCAL_TAG ($((SECONDS - t0)) s)"
}

if [ -n "${REELSTAGE_OS_BASE:-}" ]; then
    have_image "$REELSTAGE_OS_BASE" || try_pull "$REELSTAGE_OS_BASE" ||
        { log "REELSTAGE_OS_BASE=$REELSTAGE_OS_BASE is not local and cannot be pulled"; exit 1; }
    echo "$REELSTAGE_OS_BASE"
elif have_image "$SLIM"; then
    echo "$SLIM"
elif have_image "$LOCAL_TAG"; then
    echo "$LOCAL_TAG"
elif try_pull "$SLIM"; then
    echo "$SLIM"
else
    build_with_debootstrap
    echo "$LOCAL_TAG"
fi
