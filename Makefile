# Clauses — set-up and checks. `make run` serves the demo; `make test` runs every check on the real stack.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEBIAN_PACKAGES := chromium poppler-utils libharfbuzz-subset0 fonts-dejavu-core
TEST_DATABASE_URL ?= postgres:///clauses
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
# Tests run with DEBUG off (production-like security) but over plain HTTP.
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_TASK_ALWAYS_EAGER=true \
	SECURE_SSL_REDIRECT=false
DEV_ENV := DEBUG=true
# The benchmark (issue 8) runs on a national-scale database of its own (it writes: grids, imports, bilans).
BENCH_DATABASE_URL ?= postgres:///clauses_national
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/3
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) CELERY_TASK_ALWAYS_EAGER=false \
	SECURE_SSL_REDIRECT=false

.PHONY: help run test national bench loadtest backup restore lint format system-deps services lock clean

help:
	@echo "make run    installe, migre, charge la démo et sert Clauses sur http://127.0.0.1:8000"
	@echo "make test   installe ce qui manque, puis ruff, makemigrations --check et pytest sur PostgreSQL"
	@echo "make national  crée la base clauses_national : 5 années de l'activité nationale (une dizaine de minutes)"
	@echo "make bench  mesure les pages, le bilan et l'import sur la base nationale (résultat dans var/bench.json)"
	@echo "make loadtest  test de charge : 50 utilisateurs pendant 5 min sur gunicorn, PostgreSQL, Redis et Celery"
	@echo "make backup    sauvegarde la base (pg_dump) et les fichiers privés dans var/backups/<date>/"
	@echo "make restore BACKUP=var/backups/<date>  restaure une sauvegarde (demande confirmation ; CONFIRM=oui)"
	@echo "make lint   ruff (vérification et format)"
	@echo "make lock   recalcule requirements.lock et requirements-dev.lock depuis pyproject.toml"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Clauses demande Python 3.11 (Django 5.2 LTS).")'
	@# Debian's own Python needs python3-venv (ensurepip) to create a virtual environment.
	@if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null; \
	  else echo "Le module venv manque : sudo apt-get install python3-venv"; exit 1; fi; \
	fi
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install -qq -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install -qq -r requirements-dev.lock
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	mkdir -p var
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo
	@echo "Clauses est servi sur http://127.0.0.1:8000 (Ctrl+C pour arrêter)."
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Debian packages the tests need (Chromium for browser tests, poppler for reading PDFs back, HarfBuzz
# subsetting for WeasyPrint), and PostgreSQL/Redis when the machine has none. Installed through apt when root.
system-deps:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v pg_ctlcluster >/dev/null || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installation des paquets Debian :$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Paquets Debian manquants :$$missing — lancez : sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

# Starts PostgreSQL and Redis when installed but stopped; makes sure this user can create the test database.
services: system-deps
	@pg_lsclusters --no-header 2>/dev/null | while read -r version cluster port status rest; do \
	  case "$$status" in online*) ;; *) echo "Démarrage de PostgreSQL $$version/$$cluster"; \
	    pg_ctlcluster --skip-systemctl-redirect $$version $$cluster start ;; esac; \
	done
	@for i in $$(seq 30); do pg_isready -q && break; sleep 1; done; pg_isready -q || { echo "PostgreSQL ne répond pas."; exit 1; }
	@psql -d postgres -Atqc 'select 1' >/dev/null 2>&1 || runuser -u postgres -- createuser --superuser "$$(id -un)"
	@psql -d postgres -Atqc "select 1 from pg_database where datname = 'clauses'" | grep -q 1 || createdb clauses
	@if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then \
	  echo "Démarrage de Redis"; mkdir -p /var/lib/redis /var/log/redis; \
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
	    --dir /var/lib/redis --logfile /var/log/redis/ci.log; \
	  for i in $$(seq 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done; \
	fi
	@redis-cli -h 127.0.0.1 ping >/dev/null || { echo "Redis ne répond pas."; exit 1; }

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(VENV)/.installed-dev services lint
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest --create-db --numprocesses auto --dist loadscope $(PYTEST_ARGS)

# The national-scale dataset the bench runs on, in a database of its own (dropped and made again).
NATIONAL_DATABASE ?= clauses_national
national: $(VENV)/.installed services
	dropdb --if-exists $(NATIONAL_DATABASE)
	createdb $(NATIONAL_DATABASE)
	DATABASE_URL=postgres:///$(NATIONAL_DATABASE) $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL=postgres:///$(NATIONAL_DATABASE) $(BIN)/python manage.py seed_national $(NATIONAL_ARGS)
	psql $(NATIONAL_DATABASE) -qc 'VACUUM ANALYZE'  # statistics and visibility of the bulk load, before measuring
	# The kept figures of the year the bench measures (the other years: `manage.py kept_figures`, or a worker).
	DATABASE_URL=postgres:///$(NATIONAL_DATABASE) $(BIN)/python manage.py kept_figures --years 1

# Pass options with BENCH_ARGS="--repeat 5 --only home dashboard"; `manage.py bench --help` lists the measures.
bench: $(VENV)/.installed-dev services
	@markets=$$(psql "$(BENCH_DATABASE_URL)" -Atqc 'select count(*) from marches_market' 2>/dev/null); \
	if [ -z "$$markets" ] || [ "$$markets" = 0 ]; then \
	  echo "La base $(BENCH_DATABASE_URL) est vide ou absente : lancez d'abord « make national »."; exit 1; \
	fi
	$(BENCH_ENV) $(BIN)/python manage.py bench $(BENCH_ARGS)

# Load test (outside `make test`): Locust runs from a virtual environment of its own, talking HTTP only.
# LOADTEST_USERS, LOADTEST_TIME (e.g. 30s, 5m), LOADTEST_WORKERS (gunicorn), LOADTEST_DATABASE, LOADTEST_REDIS_URL.
LOAD_VENV := .venv-load
$(LOAD_VENV)/.installed: requirements-load.lock | $(BIN)/python
	$(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/pip install -qq -r requirements-load.lock
	touch $@

loadtest: $(VENV)/.installed $(LOAD_VENV)/.installed services
	loadtest/run.sh

# Backup and restore of the configured database (DATABASE_URL; SQLite in the embedded mode) and PRIVATE_MEDIA_ROOT.
# `make backup` writes $(BACKUP_DIR)/<date>/; `make restore BACKUP=var/backups/<date> [CONFIRM=oui]` asks first.
BACKUP_DIR ?= var/backups
backup: $(VENV)/.installed
	$(BIN)/python manage.py backup --dir $(BACKUP_DIR)

restore: $(VENV)/.installed
	@test -n "$(BACKUP)" || { echo "Indiquez la sauvegarde : make restore BACKUP=var/backups/<date>"; exit 1; }
	$(BIN)/python manage.py restore "$(BACKUP)" $(if $(CONFIRM),--confirm "$(CONFIRM)")

lock: $(BIN)/python
	$(BIN)/pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --quiet --no-header -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet --no-header -o requirements-dev.lock
	$(BIN)/uv pip compile requirements-load.in --python-version 3.11 --quiet --no-header -o requirements-load.lock

clean:
	rm -rf $(VENV) $(LOAD_VENV) var/staticfiles
