"""Pure logic of the swarm engine: placement constraints, capacity, which inputs a staged attempt copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.engine import ContainerSpec, EngineError, Mount, make_engine
from runner.engine.swarm_nodes import NodeView, capacity, check_constraints, generic_counts
from runner.engine.swarm_storage import plan_volumes, referenced


def node(hostname: str = "gpu1", **over) -> NodeView:
    raw = {
        "ID": f"id-{hostname}",
        "Description": {
            "Hostname": hostname,
            "Resources": {
                "NanoCPUs": 8_000_000_000,
                "MemoryBytes": 32 << 30,
                "GenericResources": [
                    {"NamedResourceSpec": {"Kind": "NVIDIA-GPU", "Value": "GPU-1"}},
                    {"NamedResourceSpec": {"Kind": "NVIDIA-GPU", "Value": "GPU-2"}},
                    {"DiscreteResourceSpec": {"Kind": "SSD", "Value": 3}},
                ],
            },
            "Engine": {"Labels": {"zone": "a"}},
        },
        "Spec": {"Role": "worker", "Availability": "active", "Labels": {"gpu": "true"}},
        "Status": {"State": "ready"},
    }
    raw["Spec"].update(over)
    return NodeView.of(raw)


def test_node_view_and_constraints():
    n = node()
    assert (n.cpus, n.memory_bytes, n.generic) == (8.0, 32 << 30, {"NVIDIA-GPU": 2, "SSD": 3})
    assert n.schedulable and not node(Availability="drain").schedulable
    assert n.satisfies(("node.labels.gpu==true", "node.role != manager", "engine.labels.zone==a"))
    assert not n.satisfies(("node.hostname==cpu1",))
    assert not n.satisfies(("node.labels.missing==x",)) and n.satisfies(("node.labels.missing!=x",))
    with pytest.raises(ValueError, match="attribute==value"):
        check_constraints(("node.labels.gpu = true",))


def test_capacity_counts_what_running_tasks_reserve():
    task = {
        "NodeID": "id-gpu1",
        "DesiredState": "running",
        "Status": {"State": "running"},
        "Spec": {
            "Resources": {
                "Reservations": {
                    "NanoCPUs": 1_500_000_000,
                    "MemoryBytes": 1 << 30,
                    "GenericResources": [{"DiscreteResourceSpec": {"Kind": "NVIDIA-GPU", "Value": 1}}],
                }
            }
        },
    }
    done = {**task, "Status": {"State": "complete"}}
    (cap,) = capacity([node()], [task, done])
    assert (cap.name, cap.reserved_cpus, cap.reserved_memory_bytes) == ("gpu1", 1.5, 1 << 30)
    assert cap.reserved_generic == {"NVIDIA-GPU": 1} and cap.running_tasks == 1
    assert generic_counts(None) == {}


def test_staged_attempt_copies_only_what_the_command_names(tmp_path: Path):
    work = tmp_path / "work"
    (work / "01_demux").mkdir(parents=True)
    (work / "01_demux" / "audio.wav").write_bytes(b"x")
    (work / "logs").mkdir()
    movie, glossary = tmp_path / "m.mp4", tmp_path / "g.txt"
    movie.write_bytes(b"m")
    glossary.write_text("g")
    spec = ContainerSpec(
        image="i",
        command=("--audio", "/work/01_demux/audio.wav", "--input=/input/source.mp4", "--out", "/out"),
        mounts=(
            Mount(str(work), "/work", True),
            Mount(str(tmp_path / "stage"), "/out", False),
            Mount(str(movie), "/input/source.mp4", True),
            Mount(str(glossary), "/files/glossary", True),
        ),
    )
    plans = {p.target: p for p in plan_volumes(spec, "rs-x")}
    assert plans["/work"].entries == [(work / "01_demux/audio.wav", "01_demux/audio.wav")]
    assert plans["/out"].drain_to == tmp_path / "stage" and plans["/out"].entries == []
    assert plans["/input"].entries == [(movie, "source.mp4")] and plans["/input"].read_only
    assert plans["/files"].entries == [(glossary, "glossary")]
    assert referenced("/models", ("--model-dir", "/models/pyannote")) == ["pyannote"]
    unnamed = ContainerSpec(image="i", command=("x",), mounts=(Mount(str(work), "/work", True),))
    assert plan_volumes(unnamed, "rs-y")[0].entries == [(work, ".")]  # names nothing: all of it


def test_engine_selection_errors_are_one_line(monkeypatch):
    for key in ("REELSTAGE_SWARM_HOST", "REELSTAGE_SWARM_NODES", "REELSTAGE_SWARM_STORAGE"):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(EngineError, match="needs the manager's Docker host"):
        make_engine("swarm")
    with pytest.raises(EngineError, match="unknown engine"):
        make_engine("k8s")
    with pytest.raises(EngineError, match="staged` needs the nodes"):
        make_engine("swarm", host="unix:///nowhere.sock", storage="staged")
