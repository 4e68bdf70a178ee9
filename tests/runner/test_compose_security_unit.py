"""compose.yaml's security fields, read with compose's own resolver into least-privilege container specs."""

from __future__ import annotations

from runner.engine.base import DEFAULT_PIDS_LIMIT, NO_NEW_PRIVILEGES
from runner.pipeline.compose import load_services


def test_security_fields_are_read_and_least_privilege_is_the_default(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        """
services:
  plain: {image: x/plain}
  opened:
    image: x/opened
    cap_add: [CHOWN]
    cap_drop: [NET_RAW]
    security_opt: ["no-new-privileges:false", "apparmor:unconfined"]
    pids_limit: 64
  deployed:
    image: x/deployed
    security_opt: ["apparmor:unconfined"]
    deploy: {resources: {limits: {pids: 100}}}
"""
    )
    services = load_services(tmp_path / "compose.yaml")
    assert services["plain"].hardening() == {
        "cap_drop": ("ALL",),
        "cap_add": (),
        "security_opt": (NO_NEW_PRIVILEGES,),
        "pids_limit": DEFAULT_PIDS_LIMIT,
    }
    opened = services["opened"].hardening()
    assert opened["cap_drop"] == ("ALL",) and opened["cap_add"] == ("CHOWN",)
    assert opened["security_opt"] == ("no-new-privileges:false", "apparmor:unconfined")
    assert opened["pids_limit"] == 64
    deployed = services["deployed"].hardening()
    assert deployed["security_opt"] == (NO_NEW_PRIVILEGES, "apparmor:unconfined") and deployed["pids_limit"] == 100
