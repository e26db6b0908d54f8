# One command for the demo, one for the tests; both create .venv and install what they need.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/labelwatch.duckdb
PORT ?= 8501

.PHONY: demo demo-data test dashboard bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## demo: crawl the bundled recordings (no network) into $(DB), print the counts, serve the dashboard
demo: demo-data
	@echo "Dashboard: http://localhost:$(PORT)  (Ctrl-C to stop)"
	$(BIN)/labelwatch dashboard --db $(DB) --port $(PORT)

demo-data: $(VENV)/.installed
	$(BIN)/labelwatch crawl --replay crawlers/snapshots --db $(DB)
	$(BIN)/labelwatch report availability --db $(DB)

## test: the offline test suite (what CI runs)
test: $(VENV)/.installed
	$(BIN)/python -m pytest

## bench: registry-size benchmarks (figures printed; bench/README.md keeps the last ones)
bench: $(VENV)/.installed
	$(BIN)/python -m bench.epeat 250000
	$(BIN)/python -m bench.tco 100000

clean:
	rm -rf $(VENV) data .pytest_cache
