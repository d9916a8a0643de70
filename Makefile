# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed

.PHONY: run setup demo demo-import demo-reset demo-admin-password audit serve test lint format check-migrations check-deploy schema bench clean

run: setup demo serve

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)
	mkdir -p var
	$(MANAGE) migrate --no-input -v 0

# Seeds only an empty directory: what users entered (decisions, requests, published history) is kept.
demo: setup
	$(MANAGE) seed_demo --if-empty
	$(MAKE) --no-print-directory demo-import
	$(MANAGE) run_verification --sync
	$(MANAGE) create_demo_admin

# The demo's source files as the agencies publish them (a re-import changes nothing).
DEMO := var/demo
demo-import: setup
	if [ -f $(DEMO)/UPDATED.csv ]; then $(MANAGE) import_leie $(DEMO)/UPDATED.csv; fi
	if [ -f $(DEMO)/DAC_NationalDownloadableFile.csv ]; then $(MANAGE) import_dac $(DEMO)/DAC_NationalDownloadableFile.csv; fi
	if [ -f $(DEMO)/MUP_PHY_Prov_Svc.csv ]; then \
		$(MANAGE) import_cms_procedures $(DEMO)/MUP_PHY_Prov_Svc.csv --year $$(( $$(date +%Y) - 2 )); fi
	if [ -f "$(DEMO)/NPPES Deactivated NPI Report.xlsx" ]; then \
		$(MANAGE) import_nppes_deactivations "$(DEMO)/NPPES Deactivated NPI Report.xlsx"; fi

# Starts the demo over: everything entered since is wiped; the admin gets a new password.
demo-reset: setup
	$(MANAGE) seed_demo --replace
	$(MAKE) --no-print-directory demo-import
	$(MANAGE) run_verification --sync
	$(MANAGE) create_demo_admin --reset

demo-admin-password: setup
	$(MANAGE) create_demo_admin --reset

# The independent check of every listing; exits non-zero on any finding.
audit: setup
	$(MANAGE) audit_listings

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
