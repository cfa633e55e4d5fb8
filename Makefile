# casebase developer tasks (GNU make).  `make help` lists them.
#
#   make run     install, init the database, import seed_data/ once, serve on 127.0.0.1:5000
#   make test    install the test extra and run pytest (the suite starts its own
#                throwaway PostgreSQL and Debian's chromium; PYTEST_ARGS='-k foo -x' to narrow)
#   make lint    ruff check, ruff format --check, mypy casebase
#   make bench   what users feel over HTTP at N cases (N=20000; make bench N=100000): import,
#                each kind of query asked once, memory, index size (bench/README.md)
#   make bench-engine  the engine in process: search and import micro-benchmarks
#   make eval    search relevance on the seed data (recall@20, precision@10, nDCG@10)
#   make lock    pin every package of the image in requirements.lock (after pyproject.toml changes)
#   make clean   remove caches and test artifacts (keeps .venv, instance/ and index/ data)

VENV ?= .venv
PYTHON ?= python3
PY = $(VENV)/bin/python
PIP = $(PY) -m pip
RUN_HOST ?= 127.0.0.1
RUN_PORT ?= 5000
PYTEST_ARGS ?=
# The suite runs in parallel on every core (pytest-xdist); PARALLEL=0 runs it in one process.
PARALLEL ?= auto

INSTALLED = $(VENV)/.installed
INSTALLED_TEST = $(VENV)/.installed-test

.DEFAULT_GOAL := help

.PHONY: help install install-test run test lint bench bench-engine eval lock clean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# The stamps are rebuilt when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	touch $@

$(INSTALLED_TEST): $(INSTALLED) pyproject.toml
	$(PIP) install -e '.[test]'
	touch $@

install: $(INSTALLED)

install-test: $(INSTALLED_TEST)

run: $(INSTALLED)
	$(VENV)/bin/casebase init
	$(VENV)/bin/casebase seed
	$(VENV)/bin/casebase serve --host $(RUN_HOST) --port $(RUN_PORT)

test: $(INSTALLED_TEST)
	$(PY) -m pytest -n $(PARALLEL) $(PYTEST_ARGS)

lint: $(INSTALLED_TEST)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy casebase

N ?= 20000
bench: $(INSTALLED)
	$(PY) bench/bench_http.py --n $(N)

bench-engine: $(INSTALLED)
	$(PY) bench/bench_search.py --n 10000
	$(PY) bench/bench_import.py

eval: $(INSTALLED)
	$(PY) bench/eval_relevance.py

# The image's packages (Dockerfile): resolved for its Python and Linux, with hashes.
# tests/test_lock.py checks that the lock still satisfies pyproject.toml.
lock: $(INSTALLED)
	$(PIP) install 'uv>=0.5'
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --python-platform linux \
		--generate-hashes -o requirements.lock

clean:
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o \
		-type d -name __pycache__ -print0 | xargs -0 rm -rf
	rm -rf .pytest_cache .mypy_cache .ruff_cache test-artifacts
