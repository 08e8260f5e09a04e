# passnum — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format migrations-check install clean

$(BIN)/python:
	$(shell command -v $(PYTHON) || command -v python3) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Create .venv, install, migrate, load the Lozère demo, serve on http://127.0.0.1:8000
## (with one email worker, `passnum worker`, beside the server: stopped with it)
demo: $(STAMP)
	mkdir -p var
	DEBUG=1 $(BIN)/passnum demo

## Run the whole test suite (SQLite unless DATABASE_URL says otherwise)
test: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP)
	mkdir -p var
	DEBUG=1 $(BIN)/passnum makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
