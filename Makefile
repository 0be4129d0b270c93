# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: run test setup lint format clean bench

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --requirement requirements.txt
	touch $(INSTALLED)

setup: $(INSTALLED)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_plan

run: setup
	$(PY) manage.py runserver $(HOST)

# Three workers on two cores: browser, LibreOffice and live-server tests spend much of their time waiting.
test: setup
	$(PY) -m pytest -n 3

# Throw-away registers of 10,000 and 96,000 measures on the configured database (DATABASE_URL);
# prints every page and download against the admin changelist and plain writers.
bench: $(INSTALLED)
	PYTHONUNBUFFERED=1 $(PY) benchmarks/pages.py $(BENCH_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
