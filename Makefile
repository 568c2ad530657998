# The two set-up commands of the README: `make demo` and `make test`. Both build what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint assets bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

assets: fazhan/static/vendor/.stamp

fazhan/static/vendor/.stamp: package.json package-lock.json scripts/copy_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) scripts/copy_assets.py
	touch $@

demo: $(STAMP) assets
	$(VENV)/bin/fazhan demo

test: $(STAMP) assets
	$(PY) scripts/run_tests.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy fazhan

bench: $(STAMP)
	$(PY) bench/bench_check.py
	$(PY) bench/bench_chain.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_import.py
	$(PY) bench/bench_indicators.py
	$(PY) bench/bench_report_counts.py
	$(PY) bench/bench_ballots.py
	bash bench/bench_public.sh
	bash bench/bench_serve.sh

clean:
	rm -rf $(VENV) node_modules fazhan/static/vendor
