# Cổng Dịch vụ công — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST   ?= 127.0.0.1
PORT   ?= 8000

# System packages: gettext compiles the translations; Pango and the Noto fonts let WeasyPrint
# make the dossiers' PDFs with Vietnamese diacritics; Chromium drives the browser tests;
# poppler reads PDFs back (and checks their signatures) and zbar scans their QR codes in the tests;
# the notification tests start and stop a redis-server of their own.
RUN_DEPS  := gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core
TEST_DEPS := $(RUN_DEPS) chromium poppler-utils zbar-tools redis-server

.PHONY: run test install sysdeps-run sysdeps-test messages lint format schema bench bench-submission bench-queues bench-signing bench-notifications clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

sysdeps-run:
	@scripts/sysdeps.sh $(RUN_DEPS)

sysdeps-test:
	@scripts/sysdeps.sh $(TEST_DEPS)

messages: install
	@$(MANAGE) compilemessages -v0 --ignore=.venv

## The portal on SQLite with the demo catalogue at http://$(HOST):$(PORT) (tasks run in-process).
run: install sysdeps-run messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) load_demo
	$(MANAGE) make_dev_pki
	$(MANAGE) load_demo_workspace
	@echo ""
	@echo "  Cổng Dịch vụ công: http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/docs/)"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

## The whole test suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL).
test: install sysdeps-test messages
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Regenerate the committed OpenAPI schema after an API change.
schema: install
	$(MANAGE) spectacular --lang en --validate --fail-on-warn --file docs/openapi.yaml

## Catalogue benchmark (PostgreSQL, gunicorn with 2 workers); see docs/performance.md.
bench: install
	$(BIN)/python bench/catalogue.py

## Dossier submission benchmark (3 × 1 MiB papers, 20 clients); see docs/performance.md.
bench-submission: install
	$(BIN)/python bench/submission.py

## Officer queue benchmark (PostgreSQL, 1,000,000 dossiers); see docs/performance.md.
bench-queues: install
	$(BIN)/python bench/queues.py

## Signed result benchmark: render a result and sign it (PAdES), warm; see docs/performance.md.
bench-signing: install
	$(BIN)/python bench/signing.py

## Notification delivery benchmark: one Celery worker, in-memory mail; see docs/performance.md.
bench-notifications: install
	$(BIN)/python bench/notifications.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
