# nssf-analysis — run `make help` for the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
YEAR ?= 2022

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

book: extract validate ## Build the data, run the notebooks and build the HTML book
	@echo "make book: data extracted and validated in data/."
	@echo "make book: notebooks and the HTML book are not built yet (see the open issues)."

lint: $(STAMP) ## ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: $(STAMP) ## Run lint and the whole test suite
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q

lab: $(STAMP) ## Open JupyterLab on the project's kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

clean: ## Remove outputs/ (the book and executed notebooks are disposable)
	find outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

.PHONY: help install extract validate book lint format test lab clean
