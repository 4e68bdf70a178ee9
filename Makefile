# Reelstage: `make run INPUT=movie.mp4` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_ARGS ?=

.PHONY: setup venv host-tools run plan status demo test test-runner lint bench clean-venv help

help:
	@echo "make run INPUT=movie.mp4 [RUN_ARGS='--workdir DIR ...']   subtitles for a movie (resumes if rerun)"
	@echo "make demo                                               a generated movie through the whole pipeline"
	@echo "make test                                               the test suite (real Docker, real models)"
	@echo "make setup | images | lint | bench                      set-up only, image builds, ruff, benchmarks"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

venv: $(STAMP)

host-tools:
	@scripts/ensure-host-tools.sh runtime

setup: venv docker host-tools
	@mkdir -p models

include make/images.mk
images: venv docker

run: setup images
	@test -n "$(INPUT)" || { echo "usage: make run INPUT=path/to/movie.mp4" >&2; exit 2; }
	$(BIN)/reelstage run "$(INPUT)" $(RUN_ARGS)

plan: venv
	@test -n "$(INPUT)" || { echo "usage: make plan INPUT=path/to/movie.mp4" >&2; exit 2; }
	$(BIN)/reelstage plan "$(INPUT)" $(RUN_ARGS)

status: venv
	$(BIN)/reelstage status $(WORKDIR)

demo: setup images
	@scripts/ensure-host-tools.sh test
	$(BIN)/python scripts/demo.py

test: setup images
	@scripts/ensure-host-tools.sh test
	$(BIN)/pytest $(PYTEST_ARGS)

test-runner: setup
	@scripts/ensure-host-tools.sh test
	$(BIN)/pytest tests/runner $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check runner stages tests bench scripts

bench: setup images
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/e2e.py

clean-venv:
	rm -rf $(VENV)
