# One command for the demo, one for the tests; both create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/demo.duckdb
PORT ?= 8501
# pytest-xdist processes for `make test` (TEST_WORKERS=0: one process)
TEST_WORKERS ?= 2

.PHONY: demo demo-data test browser bench clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## demo: rebuild $(DB) from the bundled recordings, oldest first (no network), print the counts, serve the dashboard
demo: demo-data
	@echo "Dashboard: http://localhost:$(PORT)  (Ctrl-C to stop)"
	$(BIN)/labelwatch dashboard --db $(DB) --port $(PORT)

# The demo database is made anew each time (its run files too), so runs never pile up.
demo-data: $(VENV)/.installed
	rm -rf $(DB) $(DB).wal $(dir $(DB))runs/$(notdir $(DB))
	for recording in crawlers/snapshots/20*/; do $(BIN)/labelwatch crawl --replay $$recording --db $(DB) || exit 1; done
	$(BIN)/labelwatch report availability --db $(DB) --market Belgium

## test: lint and format check (ruff), then the offline test suite (what CI runs), with the browser test's Chromium and playwright-core
test: $(VENV)/.installed browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

## browser: Debian's Chromium (apt-get, as root or through sudo) and playwright-core (npm ci) for tests/test_browser.py
browser: tests/browser/node_modules/.installed
	@command -v chromium >/dev/null || { $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
		$(if $(filter 0,$(shell id -u)),,sudo) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

tests/browser/node_modules/.installed: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --silent
	touch $@

## bench: registry-size benchmarks, five years of history (figures printed; bench/README.md keeps the last ones)
bench: $(VENV)/.installed
	$(BIN)/python -m bench.epeat 250000
	$(BIN)/python -m bench.tco 100000
	$(BIN)/python -m bench.eprel 15000
	$(BIN)/python -m bench.offers 5000
	$(BIN)/python -m bench.history 260
	$(BIN)/python -m bench.products

clean:
	rm -rf $(VENV) data .pytest_cache test-output tests/browser/node_modules

# Re-extract the dashboard's texts and merge them into the catalogues (then translate what is new).
translations:
	.venv/bin/pybabel extract -F dashboard/locales/babel.cfg -k _ -k N_ -k ngettext:1,2 --no-location \
		--sort-output -o dashboard/locales/labelwatch.pot .
	.venv/bin/pybabel update -i dashboard/locales/labelwatch.pot -d dashboard/locales -D labelwatch --no-fuzzy-matching
