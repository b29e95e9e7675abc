# The two commands of the README:
#   make site   set everything up (virtual environment, pinned packages) and build the site
#   make test   set everything up and run the whole test suite (lint, types, tests)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# what a reader or curator needs (requirements.lock: the package's dependencies), and what the tests add to it
# (requirements-dev.lock: the same pins plus the dev extra: pytest, ruff, mypy, Playwright, hypothesis …)
STAMP     := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# axe-core for the accessibility scans, pinned with its hash in tests/browser/package-lock.json
AXE    := tests/browser/node_modules/.installed

.PHONY: site test serve preview schema lock clean chromium

site: $(STAMP)
	$(BIN)/litreview build

test: $(DEV_STAMP) $(AXE) chromium
	$(BIN)/ruff check generator tests
	$(BIN)/mypy
	$(BIN)/pytest

serve: $(STAMP)
	$(BIN)/mkdocs serve

# Faster live preview of a large review: MkDocs rebuilds only the pages whose Markdown the generator rewrote
# (other pages' navigation may lag until a full build; not strict, since MkDocs warns about dirty builds).
preview: $(STAMP)
	$(BIN)/mkdocs serve --dirty --no-strict

# JSON Schemas for editors, derived from generator/records/schema.py (a test checks they are current).
schema: $(STAMP)
	$(BIN)/litreview schema --out schema

# make lock: rewrite the two locks, every package pinned with the sha256 of each of its files on PyPI, for CPython 3.11.5+
# on Linux x86_64, both resolved from pyproject.toml and build-system.requires (setuptools, for the editable install below):
#   requirements.lock      the runtime lock, what `make site` installs: the package's dependencies only;
#   requirements-dev.lock  the development lock, what `make test` installs: the same plus the dev extra.
# The development lock is resolved first, and the runtime lock then under its pins as constraints: every package the two
# share has one version in both (the runtime packages are a subset of the development ones, so this always resolves;
# resolving the runtime first could pin a package at a version some test tool cannot use).
# The resolver is uv, pinned by UV_VERSION and installed into a throwaway venv in a mktemp -d folder that is removed
# afterwards; it reads PyPI only and ignores pip's and uv's configuration files, so the result depends only on
# pyproject.toml, the current locks and PyPI. Versions already in a lock are kept unless pyproject.toml rules them out;
# to move some on: make lock LOCK_ARGS="--upgrade-package numpy" (all: --upgrade).
UV_VERSION  := 0.13.8
LOCK_PYTHON := 3.11.5
LOCK_ARGS   ?=
UV_COMPILE   = "$$tmp/uv/bin/uv" pip compile pyproject.toml - --generate-hashes --no-header \
	--python-version $(LOCK_PYTHON) --python-platform x86_64-unknown-linux-gnu \
	--no-config --default-index https://pypi.org/simple --cache-dir "$$tmp/cache" --quiet
lock:
	set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	build_requires=$$($(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'); \
	$(PYTHON) -m venv "$$tmp/uv"; \
	"$$tmp/uv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; \
	for lock in requirements.lock requirements-dev.lock; do if [ -f $$lock ]; then cp $$lock "$$tmp/$$lock"; fi; done; \
	printf '%s\n' "$$build_requires" | $(UV_COMPILE) --extra dev $(LOCK_ARGS) --output-file "$$tmp/requirements-dev.lock"; \
	{ printf '%s\n' '# Exact versions of every package the project installs to test and lint it (make test): the runtime lock,' \
	                 '# requirements.lock, at the same versions, plus the dev extra. Regenerate after changing pyproject.toml: make lock'; \
	  cat "$$tmp/requirements-dev.lock"; } > requirements-dev.lock.tmp; \
	mv requirements-dev.lock.tmp requirements-dev.lock; \
	printf '%s\n' "$$build_requires" | $(UV_COMPILE) --constraint requirements-dev.lock --output-file "$$tmp/requirements.lock"; \
	{ printf '%s\n' '# Exact versions of every package the project needs to build a site (make site): pyproject.toml'"'"'s dependencies' \
	                 '# and setuptools; no test or lint tool (those are in requirements-dev.lock). Regenerate: make lock'; \
	  cat "$$tmp/requirements.lock"; } > requirements.lock.tmp; \
	mv requirements.lock.tmp requirements.lock

# Hash-checking mode: every package of the lock, and nothing else, installs only if its file's sha256 is listed.
# Our own package is then installed on its own (editable, no deps): hash mode cannot cover a local editable install.
# The development install is the runtime one plus the test tools, at the same versions.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(DEV_STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(DEV_STAMP)

# The browser tests drive Debian's chromium; installed here when missing (needs root or sudo).
chromium:
	tests/browser/install-chromium

$(AXE): tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

clean:
	rm -rf site $(VENV) tests/browser/node_modules test-artifacts
