# Everything a new machine needs: `make run` to try it, `make test` to check it.
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := app

.PHONY: run test lint venv bench bench-scale

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: venv
	FLASK_CONFIG=development $(BIN)/flask db upgrade
	FLASK_CONFIG=development $(BIN)/flask demo init
	@echo "打开 http://$(HOST):$(PORT)/ （Ctrl-C 停止）"
	FLASK_CONFIG=development $(BIN)/flask run --host $(HOST) --port $(PORT)

test: venv
	$(BIN)/pytest -q

# The rules chosen in pyproject.toml's [tool.ruff]; CI fails on any finding.
lint: venv
	$(BIN)/ruff check .

# Exam-day load against gunicorn on SQLite and PostgreSQL (127.0.0.1:5432), then 2,000 candidates on PostgreSQL at
# six gunicorn configurations; prints figures, not a test.
bench: venv $(VENV)/.bench-installed
	$(BIN)/python bench/run.py

# The 2,000-candidate deadline burst alone (bench/scale.py).
bench-scale: venv $(VENV)/.bench-installed
	$(BIN)/python bench/run.py --scale

$(VENV)/.bench-installed: pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@
