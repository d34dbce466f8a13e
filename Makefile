# Two commands on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test test-postgres lint browser mailserver postgres bench bench-postgres clean

# The stamp files re-install only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/crm init-db
	$(BIN)/crm run --host 127.0.0.1 --port $(PORT)

browser:
	@scripts/ensure-chromium

mailserver:
	@scripts/ensure-dovecot

postgres:
	@scripts/ensure-postgres

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# The whole suite twice: on SQLite, then on a throwaway PostgreSQL server.
test: $(VENV)/.installed-test browser mailserver lint
	$(BIN)/python -m pytest
	@$(MAKE) --no-print-directory test-postgres

test-postgres: $(VENV)/.installed-test
	@status=0; scripts/ensure-postgres || status=$$?; \
	if [ $$status = 0 ]; then CRM_TEST_DATABASE=postgresql $(BIN)/python -m pytest; \
	elif [ $$status != 10 ]; then exit $$status; fi

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks.run

bench-postgres: $(VENV)/.installed-test postgres
	$(BIN)/python -m benchmarks.on_postgres --out benchmarks/out/results-postgresql.json

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
