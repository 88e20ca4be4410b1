# Alur — developer commands. `make run` and `make test` are the whole quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# PostgreSQL server used by the test suite (a throw-away database is created on it per run).
ALUR_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
export ALUR_TEST_POSTGRES_URL

.PHONY: run test lint bench venv clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Alur needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/alur db upgrade
	$(BIN)/alur demo
	$(BIN)/alur load-processes
	$(BIN)/alur serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check engine storage web tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check engine storage web tests bench
	$(BIN)/ruff format --check engine storage web tests bench

bench: $(STAMP)
	$(BIN)/python bench/engine.py

clean:
	rm -rf $(VENV) instance .pytest_cache
