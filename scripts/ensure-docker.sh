#!/usr/bin/env bash
# Make sure a Docker engine answers. Quiet when it already does.
# On a Debian/Ubuntu host as root: install docker.io if dockerd is missing, start the engine
# (systemd when it runs, else dockerd in the background) and wait up to $DOCKER_WAIT seconds.
set -euo pipefail

DOCKER_WAIT=${DOCKER_WAIT:-60}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}

docker info >/dev/null 2>&1 && exit 0

say() { echo "ensure-docker: $*" >&2; }

if [ "$(id -u)" != 0 ] || [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null; then
    if command -v docker >/dev/null; then
        say "the Docker engine does not answer (docker info failed): start it (e.g. 'sudo systemctl start docker')" \
            "or add your user to the 'docker' group, then retry"
    else
        say "Docker is not installed: install Docker Engine (https://docs.docker.com/engine/install/)," \
            "or run this script as root on a Debian/Ubuntu host"
    fi
    exit 1
fi

say "the Docker engine does not answer; setting it up (Debian host, root)"
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    say "installing docker.io with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if [ -d /run/systemd/system ]; then
    say "systemctl start docker"
    systemctl start docker
elif pgrep -x dockerd >/dev/null; then
    say "dockerd is already running; waiting for it to answer"
else
    say "starting dockerd in the background (log: $DOCKERD_LOG)"
    nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
fi

for _ in $(seq "$DOCKER_WAIT"); do
    if docker info >/dev/null 2>&1; then
        say "Docker engine ready"
        exit 0
    fi
    sleep 1
done
say "the Docker engine did not answer within $DOCKER_WAIT s; see $DOCKERD_LOG"
exit 1
