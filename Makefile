# The two commands a newcomer needs: `make run` and `make test`.
# Django 6.1 needs Python 3.12 or newer: the first one found on PATH (or in
# pyenv's versions folder) is used; set PYTHON=/path/to/python3.x to choose.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	  && { command -v $$p; break; }; done)

.PHONY: run worker serve test test-sqlite test-postgres check lint typecheck lint-imports format install \
	migrate demo bench bench-quick clean

$(VENV)/.installed: requirements.txt
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.12 or newer is needed (Django 6.1); set PYTHON=/path/to/python3.12" >&2; exit 1; fi
	@if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# The Russian interface: locale/*/LC_MESSAGES/*.po compiled into .mo (standard library
# only, no GNU gettext needed; the .mo files are not committed).
install: $(VENV)/.installed
	@$(PY) scripts/compile_messages.py

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# The server and, beside it, one background worker (large imports, exports, recounts: the
# Jobs page). Stopping the server (Ctrl+C) stops the worker: asked first, killed after 5 s
# (a job cut short is marked failed and has written nothing).
run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (log in as analyst1 / annotate), with a background worker"
	@$(PY) manage.py db_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10; do \
	  kill -0 $$worker 2>/dev/null || exit 0; sleep 0.5; done; kill -KILL $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The background worker alone (make serve runs the web server only: run this beside it,
# under the same process manager; README, Production).
worker: install
	$(PY) manage.py db_worker --no-reload

# Production serving: gunicorn, static files by whitenoise, DJANGO_DEBUG=0. Needs
# DJANGO_SECRET_KEY (and DJANGO_ALLOWED_HOSTS, DATABASE_URL); see README "Production".
# Background jobs run in `manage.py db_worker` (make worker), a second service under the
# same process manager, as many as wanted on PostgreSQL (README, "Background jobs").
serve: install
	@[ -n "$$DJANGO_SECRET_KEY" ] || { echo "make serve runs in production mode:" \
	  "set DJANGO_SECRET_KEY first (README, Production)" >&2; exit 1; }
	DJANGO_DEBUG=0 $(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=0 $(PY) manage.py migrate --noinput
	@echo "Serving on http://$(HOST):$(PORT)/ (gunicorn.conf.py: workers and threads)"
	@echo "Background jobs need a worker beside it: $(PY) manage.py db_worker --no-reload (make worker)"
	DJANGO_DEBUG=0 exec $(BIN)/gunicorn project.wsgi:application --bind $(HOST):$(PORT) \
	  --access-logfile -

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs over annotator/ and project/ (pyproject.toml, [tool.mypy]).
typecheck: install
	$(BIN)/mypy

# The layout's import contracts (pyproject.toml, [tool.importlinter]).
lint-imports: install
	$(BIN)/lint-imports

# Everything but the test suite: lint, types, import contracts.
check: lint typecheck lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make test` runs the checks (`make check`), then the suite twice: on SQLite, then on a
# throwaway PostgreSQL cluster (scripts/pg-test-cluster). Without PostgreSQL installed the
# second pass is skipped with a notice, except in CI (CI set), where that is an error.
# PYTEST_ARGS narrows both passes.
test: check test-sqlite test-postgres

test-sqlite: install
	DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

PG_CLUSTER ?= scripts/pg-test-cluster
test-postgres: install
	@if $(PG_CLUSTER) --available; then \
	  $(PG_CLUSTER) $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ -n "$${CI:-}" ]; then \
	  echo "CI: PostgreSQL (initdb, pg_ctl) is required for the PostgreSQL test pass" >&2; exit 1; \
	else \
	  echo "NOTICE: PostgreSQL is not installed: skipping the PostgreSQL test pass" \
	    "(apt-get install --no-install-recommends postgresql)"; \
	fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache .import_linter_cache

# The benchmark (README, Benchmarks): a synthetic corpus in a scratch database, served by
# gunicorn with DEBUG off, driven by concurrent HTTP clients; prints a table and writes
# bench/results.json. DB=postgres runs it on a throwaway PostgreSQL cluster.
# BENCH_ARGS passes options (e.g. --reuse to measure the last built corpus again).
BENCH_DB = $(if $(filter postgres,$(DB)),PG_CLUSTER_DURABLE=1 $(PG_CLUSTER) sh -c '$(PY) -m bench.run --db postgres --database-url "$$DATABASE_URL" $$0 "$$@"',$(PY) -m bench.run)
bench: install
	$(BENCH_DB) --size full $(BENCH_ARGS)

bench-quick: install
	$(BENCH_DB) --size quick $(BENCH_ARGS)

# The suggester alone: training on 10,000 labelled sentences, one document's suggestions.
.PHONY: bench-suggester
bench-suggester: install
	$(PY) -m bench.run --alone suggester --size $(or $(SIZE),full)

# The export alone at full size (data built once in bench/work/; FORMAT=bundle etc.).
.PHONY: bench-export
bench-export: install
	$(PY) bench/export_bench.py --documents 50000 --annotations 1000000 --format $(or $(FORMAT),jsonl)
