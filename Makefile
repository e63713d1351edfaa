# odl — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
VENV_CKAN := .venv-ckan
UV := $(VENV)/bin/uv

.PHONY: setup demo test lint pytest bench down lock clean-venvs

setup: $(VENV)/.installed $(VENV_CKAN)/.installed

# uv comes from PyPI through the venv's own pip, then installs the exact lock. Bytecode is compiled
# at install: with PYTHONDONTWRITEBYTECODE set (as on these machines) every process would otherwise
# compile Airflow, pandas and GX again (about 4 s a process).
$(VENV)/.installed: requirements/airflow.lock pyproject.toml Makefile
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(VENV)/bin/pip install -q uv==$(UV_VERSION)
	$(UV) pip sync -q --compile-bytecode --python $(VENV)/bin/python requirements/airflow.lock
	$(UV) pip install -q --python $(VENV)/bin/python --no-deps -e .
	touch $@

$(VENV_CKAN)/.installed: requirements/ckan.lock $(VENV)/.installed $(shell find ckan/ckanext-odl -name '*.py' -o -name pyproject.toml)
	test -x $(VENV_CKAN)/bin/python || $(PYTHON) -m venv $(VENV_CKAN)
	$(UV) pip sync -q --compile-bytecode --python $(VENV_CKAN)/bin/python requirements/ckan.lock
	$(UV) pip install -q --python $(VENV_CKAN)/bin/python --no-deps -e ckan/ckanext-odl
	touch $@

# Re-resolve both locks after editing requirements/*.in.
lock: $(VENV)/.installed
	$(UV) pip compile -q --python-version 3.11 requirements/airflow.in -o requirements/airflow.lock
	$(UV) pip compile -q --python-version 3.11 requirements/ckan.in -o requirements/ckan.lock

# Each dataset folder's code is checked on its own: every folder has its own transform.py, sample.py, ….
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	for folder in catalog/datasets/*/; do \
	  if ls $$folder*.py >/dev/null 2>&1; then $(VENV)/bin/mypy $$folder*.py || exit 1; fi; \
	done

pytest: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint pytest

demo: setup
	$(VENV)/bin/python scripts/demo.py

bench: setup
	$(VENV)/bin/python -m bench.run

down:
	@if [ -x scripts/stack ]; then scripts/stack down; else echo "no stack script yet"; fi

clean-venvs:
	rm -rf $(VENV) $(VENV_CKAN)
