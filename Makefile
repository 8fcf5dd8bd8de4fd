# The two commands: `make run` and `make test`. Both need only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# NEWSROOM_DEMO_LANGUAGE=ru make run: the Russian demo on a Russian site, in a database of its own
# (db-ru.sqlite3, so it never mixes with the English demo's db.sqlite3). Each can be overridden.
ifeq ($(NEWSROOM_DEMO_LANGUAGE),ru)
export NEWSROOM_DEMO_LANGUAGE
export DJANGO_LANGUAGE_CODE ?= ru
export NEWSROOM_TIME_ZONE ?= Europe/Moscow
export DATABASE_URL ?= sqlite:///$(CURDIR)/db-ru.sqlite3
endif

.PHONY: catalogues messages run test lint format check clean audit audit-refresh bench-newsletter cluster cluster-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment. On Debian/Ubuntu: apt install python3-venv"; exit 1; }

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# The translations, compiled from locale/*.po with no gettext tools (only stale files are written).
catalogues: $(VENV)/.installed
	@$(BIN)/python manage.py catalogues compile --verbosity 0

# Collect new strings into every catalogue (needs gettext: apt install gettext), then translate.
messages: $(VENV)/.installed
	$(BIN)/python manage.py catalogues update

run: catalogues
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo
	@echo ""
	@echo "  Site:  http://127.0.0.1:$(PORT)/"
	@echo "  Admin: http://127.0.0.1:$(PORT)/admin/  (demo logins above)"
	@echo ""
	@# The task worker (mail) runs beside the site and stops when runserver does.
	@# Links in mails (newsletter confirmations, reply notifications) point at this server.
	export NEWSROOM_SITE_URL=$${NEWSROOM_SITE_URL:-http://127.0.0.1:$(PORT)}; \
	DJANGO_DEBUG=1 $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: catalogues
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The production layout on this machine (Varnish, HAProxy, two app servers, a worker, Redis,
# S3 on moto's server, PostgreSQL): see "Running several servers" in README.md.
cluster: catalogues
	deploy/local-cluster.sh start

cluster-stop:
	deploy/local-cluster.sh stop

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Known vulnerabilities in every pinned requirement, from the advisory file kept in the repo
# (security/advisories.json, OSV records): runs offline, and fails when it could check nothing.
audit: $(VENV)/.installed
	$(BIN)/python security/audit.py check -r requirements.txt -r requirements-dev.txt

# Rewrites security/advisories.json from the OSV database (needs network); commit the result.
audit-refresh: $(VENV)/.installed
	$(BIN)/python security/audit.py refresh -r requirements.txt -r requirements-dev.txt

# Bulk mail: a digest to 100,000 through two workers, and workers killed mid-send (not a test).
# Needs PostgreSQL: make bench-newsletter DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench
bench-newsletter: $(VENV)/.installed
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL=postgres://... (a database of its own: its bulk mail is emptied)"; exit 1; }
	DATABASE_URL=$(DATABASE_URL) $(BIN)/python bench/newsletter_benchmark.py $(BENCH_ARGS)

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
