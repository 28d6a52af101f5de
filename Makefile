# nssf-analysis — run `make help` for the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
YEAR ?= 2022
export YEAR  # recipes read it as "$$YEAR": a value is never run as a command

.DEFAULT_GOAL := help

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name nssf-analysis --display-name "Python (nssf-analysis)" > /dev/null
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project (skipped when up to date)

extract: $(STAMP) ## Extract every table of the report into data/ (raw, tidy, checks, catalog)
	$(VENV)/bin/nssf-report extract

validate: $(STAMP) ## Validate every data file
	$(VENV)/bin/nssf-report validate

book: extract validate ## Build the data, run the notebooks and build the HTML book (YEAR=2022)
	$(VENV)/bin/nssf-report build --year "$$YEAR"

books: extract validate ## Build the book for every year with data
	$(VENV)/bin/nssf-report build --all-years

audit: $(STAMP) ## Audit the report's consistency into outputs/audit/
	$(VENV)/bin/nssf-report audit

goldens: $(STAMP) ## Regenerate the golden executed notebooks of tests/golden/ (review the diff)
	$(PY) tests/goldens.py

lint: $(STAMP) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# nbval on the project's kernel forked as the book's chapters are (tests/conftest.py makes it)
NBVAL := --nbval --nbval-kernel-name nssf-analysis-forked --nbval-sanitize-with tests/nbval_sanitize.cfg

test: $(STAMP) ## Lint, the test suite and nbval on the goldens (two processes), then: no process left
	$(MAKE) --no-print-directory lint
	export NSSF_SESSION=make-test-$$$$-$$RANDOM; \
	  $(PY) -m pytest -q -n 2 --dist loadscope $(NBVAL); status=$$?; \
	  $(PY) -m nssf_analysis.processes || status=1; exit $$status

browser: ## Install Debian's chromium, poppler-utils and Java (the Nu Html Checker) for the browser, PDF and validator tests (needs root; skipped when present)
	@{ command -v chromium > /dev/null || test -x /usr/bin/chromium; } && command -v pdftotext > /dev/null && command -v java > /dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils default-jre-headless > /dev/null; \
	  else echo "make browser: chromium, pdftotext or java is missing; install Debian's chromium, poppler-utils and default-jre-headless as root" >&2; fi; }

bench: $(STAMP) ## Benchmark the book build against running each notebook by hand
	$(PY) benchmarks/bench_build.py --year "$$YEAR"

lab: $(STAMP) ## Open JupyterLab on the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

clean: ## Remove outputs/ (the book and executed notebooks are disposable)
	find outputs -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +

.PHONY: help install extract validate book books audit goldens lint format test browser bench lab clean
