"""A real multi-node Docker Swarm on this one machine, beside the host's own engine (never touched).

The command line is scripts/swarm_cluster.py; tests and benchmarks import `Cluster` from here.
Modules, one job each: cluster (settings, nodes, up/down), membership (the swarm formed, waited
ready, restored), node (a node's files, engine and verbs), daemons (its containerd + dockerd by
pid), link (network namespaces, the bridge, cut/heal), images (loaded from the host engine),
pids and shell (processes, commands, waits).
"""

from .cluster import Cluster
from .node import START_TIMEOUT_S, Node

__all__ = ["START_TIMEOUT_S", "Cluster", "Node"]
