# Two commands on a fresh machine with Python 3.11 and make:
#   make run   – the portal with demo data on SQLite, tasks in-process, e-mail to the console
#   make test  – the whole test suite on PostgreSQL (and Redis, a Celery worker, chromium)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Test services, overridable from the environment.
TEST_DATABASE_URL ?= postgres://postgres:portal@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install install-dev lint format messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py seed --demo
	@echo "Open http://$(HOST):$(PORT)/ – staff and demo logins are printed above."
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)}" \
	SECRET_KEY="$${SECRET_KEY:-test-only-secret-key-not-for-production-0123456789abcdef}" \
	STATIC_MANIFEST=0 \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the translation catalogs (needs GNU gettext) and compile them (the .mo files are committed).
messages: install-dev
	DEBUG=1 $(BIN)/python manage.py makemessages -l de -l en --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=bench
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

bench: install-dev
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 var
