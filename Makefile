# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed

.PHONY: run setup demo serve test lint format check-migrations check-deploy schema bench clean

run: setup demo serve

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)
	mkdir -p var
	$(MANAGE) migrate --no-input -v 0

demo: setup
	$(MANAGE) seed_demo
	$(MANAGE) import_leie var/demo/UPDATED.csv
	$(MANAGE) run_verification --sync
	$(MANAGE) create_demo_admin

# The demo serves production settings (DEBUG off) so visitors see the site's 404 and 500 pages, not Django's
# technical ones; only HTTPS-specific settings are relaxed for plain http on 127.0.0.1.
DEMO_ENV := DJANGO_DEBUG=false DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_HSTS_SECONDS=0 DJANGO_SECURE_COOKIES=false

serve:
	@echo "Serving on http://127.0.0.1:8000/  (admin: http://127.0.0.1:8000/admin/)"
	$(DEMO_ENV) DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
		sh -c '$(MANAGE) collectstatic --no-input -v 0 && exec $(MANAGE) runserver 127.0.0.1:8000 --noreload'

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: $(STAMP)
	$(MANAGE) makemigrations --check --dry-run

check-deploy: $(STAMP)
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
		DJANGO_ALLOWED_HOSTS=directory.example.org $(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var staticfiles

schema: $(STAMP)
	$(MANAGE) spectacular --file api/openapi.yaml --validate --fail-on-warn

bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(PY) bench/run.py
