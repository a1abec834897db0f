# PartnerHub — the two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install demo run migrate seed worker beat test test-fast test-browser lint layers unscoped-check fmt type migrations-check check bench clean-demo backup restore audit

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

## The demo: embedded PostgreSQL (unless DATABASE_URL is set), in-process tasks (unless REDIS_URL is set).
demo: install
	DJANGO_SETTINGS_MODULE=partnerhub.settings.local $(PY) manage.py migrate --no-input
	DJANGO_SETTINGS_MODULE=partnerhub.settings.local $(PY) manage.py seed_demo
	DJANGO_SETTINGS_MODULE=partnerhub.settings.local $(PY) manage.py runserver 127.0.0.1:8000

run: install
	DJANGO_SETTINGS_MODULE=partnerhub.settings.local $(PY) manage.py runserver 127.0.0.1:8000

migrate: install
	DJANGO_SETTINGS_MODULE=partnerhub.settings.local $(PY) manage.py migrate --no-input

worker: install
	$(VENV)/bin/celery -A partnerhub worker -l info -c 2

beat: install
	$(VENV)/bin/celery -A partnerhub beat -l info

## Tests run against PostgreSQL (as the non-superuser app role), Redis, a real Celery worker and Chromium.
## TEST_DATABASE_ADMIN_URL names a superuser connection used once to create the roles.
TEST_DATABASE_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PYTEST_WORKERS ?= 2
test: install
	$(PY) -m partnerhub.core.db.bootstrap "$(TEST_DATABASE_ADMIN_URL)"
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --durations=10

test-fast: install
	$(PY) -m pytest -x -q --reuse-db -m "not browser and not worker"

APP_CODE := partnerhub scorecards reviews remediation recognition

## ruff, the house plan's import contracts (pyproject.toml, [tool.importlinter]), strict mypy, the unscoped check.
lint: install layers type unscoped-check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

unscoped-check:
	@! grep -rn --include='*.py' '\.unscoped\b\|dangerously_' $(APP_CODE) \
	  | grep -v '/migrations/\|/tenancy/\|/management/\|admin\.py' \
	  || (echo "unscoped access outside the listed places" && false)

layers: install
	$(VENV)/bin/lint-imports

type: install
	$(VENV)/bin/mypy $(APP_CODE)

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	DJANGO_SETTINGS_MODULE=partnerhub.settings.test $(PY) manage.py makemigrations --check --dry-run

check: lint migrations-check test

bench: install
	$(PY) -m partnerhub.core.db.bootstrap "$(TEST_DATABASE_ADMIN_URL)"
	DJANGO_SETTINGS_MODULE=partnerhub.settings.test $(PY) -m tests.bench.run

## Backup and restore (README, "Backup and restore"): pg_dump/pg_restore of the whole database, embedded PostgreSQL
## unless DATABASE_URL is set (then BACKUP_DATABASE_URL names a superuser or BYPASSRLS connection).
backup: install
	$(PY) -m partnerhub.core.db.backup dump $(BACKUP)

restore: install
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=backups/partnerhub-....dump [CLEAN=1]" && false)
	$(PY) -m partnerhub.core.db.backup restore "$(BACKUP)" $(if $(CLEAN),--clean,)

## Known vulnerabilities in the pinned dependencies; needs network (the vulnerability database is online).
audit: install
	$(VENV)/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip --strict --progress-spinner off

clean-demo:
	rm -rf .pgdata .run
