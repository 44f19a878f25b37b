# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PASSWORD ?= pengaduan2026
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve mailbox test lint forms translations bench bench-scale bench-server bench-export-browser bench-notifications bench-public bench-duplicates bench-browser clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The browser tests drive Debian's Chromium (Playwright's own download cannot work here).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium

install: $(VENV)/.installed

## Install, create/upgrade the database, load the SOPs and demo accounts, then serve on
## 127.0.0.1:5000 with the notification worker beside it (stopped with the server). E-mail goes
## out when MAIL_SERVER is set, e.g. `make run MAIL_SERVER=127.0.0.1 MAIL_PORT=8025` with
## `make mailbox` running in another terminal.
run: install
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app seed-demo --password '$(DEMO_PASSWORD)'
	@echo "Masuk di http://$(HOST):$(PORT)/login dengan akun demo (mis. kadis) dan kata sandi '$(DEMO_PASSWORD)'."
	@echo "Warga: formulir pengaduan http://$(HOST):$(PORT)/lapor/ dan lacak http://$(HOST):$(PORT)/lacak/"
	@export APP_BASE_URL=$${APP_BASE_URL:-http://$(HOST):$(PORT)}; \
	$(BIN)/flask --app app worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

## Production (README, *Running in production*): install, upgrade the database (migrations,
## SOPs, letterhead, pick lists; no demo accounts), then the notification worker in the
## background and gunicorn (gunicorn.conf.py, 127.0.0.1:8000) in the foreground with
## PENGADUAN_ENV=production; the worker stops with gunicorn. The settings come from the
## environment, e.g. `set -a; . /etc/pengaduan.env; set +a; make serve`: SECRET_KEY is required,
## DATABASE_URL (PostgreSQL) and APP_BASE_URL should be set. Under systemd the two run as
## deploy/pengaduan-web.service and deploy/pengaduan-worker.service instead.
serve: install
	@test -n "$$SECRET_KEY" || { echo "SECRET_KEY belum diisi: wajib di produksi (lihat deploy/pengaduan.env.example)." >&2; exit 1; }
	@test -n "$$DATABASE_URL" || echo "Peringatan: DATABASE_URL kosong, basis data SQLite di instance/ yang dipakai." >&2
	@test -n "$$APP_BASE_URL" || echo "Peringatan: APP_BASE_URL kosong, tautan di e-mail dan WhatsApp menunjuk ke http://127.0.0.1:5000." >&2
	PENGADUAN_ENV=production $(BIN)/flask --app app init-db
	@export PENGADUAN_ENV=production; \
	$(BIN)/flask --app app worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

## A local mail server that prints every mail it gets (to try e-mail notifications).
mailbox: install
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:8025

## Install and run the whole suite: lint, then pytest (PostgreSQL too when TEST_DATABASE_URL is
## set) in three workers on the two cores: each database's browser tests stay together in one
## worker, and mostly wait on Chromium.
test: install $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 3

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Every document of an SOP.50 walk printed and each page rendered to PNG in docs/forms/.
forms: install
	$(BIN)/pip install --quiet -e '.[test,docs]'
	$(BIN)/python docs/render_forms.py

## Benchmarks (not part of the test suite): numbers printed, nothing asserted about speed.
bench: install
	$(BIN)/python bench/recompute_due.py
	$(BIN)/python bench/documents.py
	@if [ -n "$(TEST_DATABASE_URL)" ]; then $(BIN)/python bench/recompute_due.py --database-url "$(TEST_DATABASE_URL)"; fi

## Lists at scale: make bench-scale COUNT=100000 (PostgreSQL too when TEST_DATABASE_URL is set).
COUNT ?= 100000
bench-scale: install
	$(BIN)/python bench/scale.py --count $(COUNT)
	@if [ -n "$(TEST_DATABASE_URL)" ]; then $(BIN)/python bench/scale.py --count $(COUNT) --database-url "$(TEST_DATABASE_URL)"; fi

## The app under gunicorn at scale: 16 clients for 45 s on a queue page, then a complaint page
## (requests/s, p50/p95/p99; any error fails); PostgreSQL too when TEST_DATABASE_URL is set.
bench-server: install
	$(BIN)/python bench/server.py --count $(COUNT)
	@if [ -n "$(TEST_DATABASE_URL)" ]; then $(BIN)/python bench/server.py --count $(COUNT) --database-url "$(TEST_DATABASE_URL)"; fi

## The whole register exported from Chromium as production serves it: the queuing click, the
## progress bar sampled each second, the notification, the download's rows counted.
bench-export-browser: install $(CHROMIUM)
	$(BIN)/python bench/export_browser.py --count $(COUNT)
	@if [ -n "$(TEST_DATABASE_URL)" ]; then $(BIN)/python bench/export_browser.py --count $(COUNT) --database-url "$(TEST_DATABASE_URL)"; fi

## Notifications at scale: the outbox's cost per action, the sweep over COUNT complaints, the
## worker's throughput against a local SMTP server (PostgreSQL too when TEST_DATABASE_URL is set).
bench-notifications: install
	$(BIN)/python bench/notifications.py --count $(COUNT)
	@if [ -n "$(TEST_DATABASE_URL)" ]; then $(BIN)/python bench/notifications.py --count $(COUNT) --database-url "$(TEST_DATABASE_URL)"; fi

## The citizen's public pages at scale: the form sent (POST /lapor/) and tracking by code
## (GET /lacak/) over COUNT complaints (PostgreSQL too when TEST_DATABASE_URL is set).
bench-public: install
	$(BIN)/python bench/public_pages.py --count $(COUNT)
	@if [ -n "$(TEST_DATABASE_URL)" ]; then $(BIN)/python bench/public_pages.py --count $(COUNT) --database-url "$(TEST_DATABASE_URL)"; fi

## Possible duplicates (models/duplicates.similar) at 1,000,000 complaints, in the database that
## `bench/public_pages.py --count 1000000 --database-url sqlite:////tmp/bench-public-1m.db` keeps
## (PostgreSQL too when TEST_DATABASE_URL is set: its kept schema bench_public_1m).
bench-duplicates: install
	$(BIN)/python bench/duplicates.py
	@if [ -n "$(TEST_DATABASE_URL)" ]; then $(BIN)/python bench/duplicates.py --database-url "$(TEST_DATABASE_URL)" --schema bench_public_1m; fi

## Page load times in Chromium: the browser tests alone, on an otherwise idle machine
## (p50/p95/max printed, nothing asserted on speed), every page saved as a screenshot.
bench-browser: install $(CHROMIUM)
	BROWSER_SCREENSHOTS=1 $(BIN)/python -m pytest -m browser -q

## Recompile the Indonesian catalogs after editing translations/id/LC_MESSAGES/*.po.
translations: install
	$(BIN)/pybabel compile -d translations -D admin -l id
	$(BIN)/pybabel compile -d translations -D wtforms -l id

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
