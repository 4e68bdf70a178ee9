#!/usr/bin/env python3
"""A real multi-node Docker Swarm on this one machine, beside the host's own engine (never touched).

Each node is an extra `dockerd` with its own data-root, exec-root, socket, pid file, cgroup parent
and address ranges, attached to a `containerd` of its own (started and waited on first), both
inside the node's own network namespace (and UTS namespace: its own hostname). The
nodes' veths meet on a bridge that lives in yet another namespace, so no cluster packet ever
crosses the root namespace (where the host engine's iptables FORWARD policy is DROP).

    python scripts/swarm_cluster.py up [--nodes 3]     start the nodes, form the swarm (idempotent)
    python scripts/swarm_cluster.py down [--purge]     leave, stop every process by pid, delete the namespaces
    python scripts/swarm_cluster.py status             nodes, their sockets and swarm state
    python scripts/swarm_cluster.py load IMAGE...      copy images from the host engine into every node

Needs root, iproute2, unshare, dockerd. Data roots stay under the state folder across `down`/`up`
(loaded images are kept); `down --purge` deletes them. Environment: REELSTAGE_SWARM_NAME (prefix of
namespaces and hostnames, default rsw), REELSTAGE_SWARM_STATE (state folder), REELSTAGE_SWARM_NET
(second octet of the 10.x ranges, default 213; the cluster uses x to x+3). This is the command
line; the harness is the package scripts/local_swarm/ (tests and benchmarks import it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from local_swarm import Cluster


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up")
    up.add_argument("--nodes", type=int, default=3)
    down = sub.add_parser("down")
    down.add_argument("--purge", action="store_true", help="also delete the data roots (loaded images)")
    sub.add_parser("status")
    load = sub.add_parser("load")
    load.add_argument("images", nargs="+")
    args = parser.parse_args()
    cluster = Cluster(nodes=getattr(args, "nodes", 3))
    try:
        if args.cmd == "up":
            print(json.dumps(cluster.up(), indent=2))
        elif args.cmd == "down":
            cluster.down(purge=args.purge)
        elif args.cmd == "load":
            cluster.load(args.images)
        else:
            print(json.dumps(cluster.info(), indent=2))
            if cluster.manager.answers():
                print(cluster.manager.docker("node", "ls").stdout)
    except RuntimeError as exc:
        print(f"swarm: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
