# Two commands on a fresh machine: `make run` and `make test`. Everything they need is installed here.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= feeds.toml
# Debian packages the tests drive for real: a headless browser and systemd's unit analyser.
SYSTEM_PACKAGES := chromium systemd
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast test-security lint bench bench-full docs install install-dev system-deps clean help

help:
	@echo "make run    start the monitor (scheduler + Datasette on http://127.0.0.1:8001)"
	@echo "make test   install everything the tests need, then run the whole suite"
	@echo "make lint   ruff + mypy --strict"
	@echo "make bench  run the benchmarks in bench/ (writes bench/results/*.md)"

$(BIN)/python:
	$(PY) -m venv $(VENV) || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv && $(PY) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev,bench]"
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v systemd-analyze >/dev/null 2>&1 || missing="$$missing systemd"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

run: install
	$(BIN)/monitor --config $(CONFIG) run

test: install-dev system-deps
	$(BIN)/pytest -q

test-fast: install-dev
	$(BIN)/pytest -q -m "not browser and not slow and not systemd"

test-security: install-dev
	$(BIN)/pytest -q -m security

lint: install-dev
	$(BIN)/ruff check monitor tests bench
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python bench/extraction.py --repeat 5
	$(BIN)/python bench/extraction.py --repeat 5 --data bench/data/readability-pages
	$(BIN)/python bench/cleaning.py
	$(BIN)/python bench/tagging.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/dedup.py --quick
	$(BIN)/python bench/fetch.py --quick
	$(BIN)/python bench/serve_load.py --quick
	$(BIN)/python bench/memory.py --quick

# The long runs behind BENCHMARKS.md: 1M-article dedup, 1,000-source fetch, 30-minute soak.
bench-full: install-dev
	$(BIN)/python bench/dedup.py
	$(BIN)/python bench/fetch.py
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/memory.py

docs: install-dev
	$(BIN)/python -m monitor.cli_reference > docs/cli.md
	$(BIN)/python -c "import re, pathlib, subprocess; p = pathlib.Path('docs/configuration.md'); t = subprocess.run(['$(BIN)/monitor', 'config', 'show', '--markdown'], capture_output=True, text=True, check=True).stdout; s = p.read_text(); p.write_text(re.sub(r'(?s)<!-- settings-table -->.*?<!-- /settings-table -->', lambda m: '<!-- settings-table -->\\n' + t.strip() + '\\n<!-- /settings-table -->', s))"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
