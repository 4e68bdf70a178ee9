"""An image's id on the real engine through both engine paths: the SDK lookup (image_lookup, shared with
the swarm manager) and the raw local API; a missing image and a silent engine each say so."""

from __future__ import annotations

import docker
import pytest
from harness import TEST_IMAGE

from runner.engine import EngineError, ImageMissing
from runner.engine.docker_engine import DockerEngine

pytestmark = pytest.mark.docker
ABSENT = "reelstage-test/absent:never-built"


@pytest.mark.parametrize("path", ["sdk", "api"])
def test_a_built_image_gives_its_id(docker_client, busybox_image, path):
    engine = DockerEngine(docker_client if path == "sdk" else None)
    assert engine.image_id(TEST_IMAGE) == docker_client.images.get(TEST_IMAGE).id


@pytest.mark.parametrize("path", ["sdk", "api"])
def test_a_missing_image_is_image_missing(docker_client, path):
    engine = DockerEngine(docker_client if path == "sdk" else None)
    with pytest.raises(ImageMissing, match=f"^image {ABSENT} is not built$"):
        engine.image_id(ABSENT)


def test_an_engine_that_does_not_answer_is_an_engine_error_not_image_missing(tmp_path):
    client = docker.DockerClient(base_url=f"unix://{tmp_path}/no-engine.sock", version="1.41", timeout=5)
    with pytest.raises(EngineError, match="cannot talk to the Docker engine") as caught:
        DockerEngine(client).image_id(TEST_IMAGE)
    assert not isinstance(caught.value, ImageMissing)
