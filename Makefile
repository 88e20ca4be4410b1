# Alur — developer commands. `make run` and `make test` are the whole quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# PostgreSQL server used by the test suite (a throw-away database is created on it per run).
ALUR_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
# Parallel test workers (each gets its own SQLite file and PostgreSQL database).
PYTEST_ARGS ?= -n 2
export ALUR_TEST_POSTGRES_URL

.PHONY: run test lint bench venv clean browser

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Alur needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/alur db upgrade
	$(BIN)/alur demo --months 6 --if-empty
	$(BIN)/alur load-processes
	$(BIN)/alur overlaps --limit 10
	$(BIN)/alur serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium (Playwright's own browser download is not used).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests are skipped)"; \
	fi

test: $(STAMP) browser
	$(BIN)/ruff check engine storage web tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check engine storage web tests bench
	$(BIN)/ruff format --check engine storage web tests bench

bench: $(STAMP)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/scheduler.py
	$(BIN)/python bench/dashboard.py --exact
	$(BIN)/python bench/overlaps.py

clean:
	rm -rf $(VENV) instance .pytest_cache
