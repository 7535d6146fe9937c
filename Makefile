# SyncHub: every target creates and uses the local virtual environment .venv,
# installing what the project needs, so a fresh machine needs nothing by hand.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test lint bench install services clean help browser soak

help:
	@echo "make demo   - run the hub on SQLite + vendor sandboxes with seeded data"
	@echo "make test   - lint, type-check and run the whole test suite"
	@echo "make lint   - ruff, mypy and import contracts"
	@echo "make bench  - benchmarks (not part of make test)"
	@echo "make soak   - reliability soak: faults and crashes at random, longer (not part of make test)"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,distributed,fidelity]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's chromium through Playwright (pip); Playwright never downloads one.
# A CJK font (WenQuanYi Zen Hei, 7 MB) so Chinese names in the screenshots are legible.
BROWSER_PACKAGES := chromium fonts-wqy-zenhei
browser:
	@test -x /usr/bin/chromium && test -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(BROWSER_PACKAGES); }

services:
	@scripts/ensure-services.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) services browser lint
	$(BIN)/pytest $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/synchub demo

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The reliability suites at random and at length (docs/reliability.md); SYNCHUB_SOAK_SEED replays.
soak: $(STAMP) services
	$(BIN)/pytest -p no:cacheprovider tests/reliability/soak/soak_reliability.py $(SOAK_ARGS)
	# the load suite at length: 50 clients for 60 s, a pull of 100,000 records (docs/reliability.md)
	SYNCHUB_LOAD_SECONDS=60 SYNCHUB_LOAD_RECORDS=10000 $(BIN)/pytest -p no:cacheprovider -s tests/hardening/load

clean:
	rm -rf $(VENV) var/*.db var/*.db-* .mypy_cache .pytest_cache .ruff_cache
