# Image targets, included by the top-level Makefile. Override on the command line, e.g.
#   make images STAGES="demux asr"    make images NO_CACHE=1 VERBOSE=1    make images REELSTAGE_OS_BASE=debian:bookworm-slim
STAGES ?=
BASE_IMAGE ?= reelstage/base:latest
OS_BASE_IMAGE ?= reelstage/os-base:bookworm
DOCKER_COMPOSE ?=
REELSTAGE_OS_BASE ?=
IMAGE_ENV = BASE_IMAGE="$(BASE_IMAGE)" REELSTAGE_OS_BASE_TAG="$(OS_BASE_IMAGE)" \
	DOCKER_COMPOSE="$(DOCKER_COMPOSE)" REELSTAGE_OS_BASE="$(REELSTAGE_OS_BASE)"

.PHONY: docker images images-clean images-watcher

docker: ## make sure a Docker engine answers (installs/starts it on a Debian host as root)
	@scripts/ensure-docker.sh

images: ## build the OS base, the base image and the stage images (STAGES="a b" for some)
	@$(IMAGE_ENV) scripts/build-images.sh $(STAGES)

images-clean: ## remove the images `make images` built (stage images, base, local OS base)
	@$(IMAGE_ENV) scripts/build-images.sh --clean

images-watcher: ## the runner's own image, for the `watcher` compose service (reelstage watch as a service)
	@$(IMAGE_ENV) scripts/build-images.sh --watcher
