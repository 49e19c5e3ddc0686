# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck screenshots bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@bash scripts/system-deps.sh
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@bash scripts/system-deps.sh --test
	$(BIN)/pip install -q -e '.[test,postgres]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/cpd-desktop

# The same checks run before each commit with `pre-commit install` (.pre-commit-config.yaml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check cpd_desktop tests $(wildcard bench)

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

test: lint typecheck
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n auto --dist loadfile

screenshots: $(VENV)/.installed-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m cpd_desktop.ui.screenshots docs/screenshots

bench: $(VENV)/.installed-test
	@bash scripts/system-deps.sh --bench
	$(BIN)/python -m bench --scale full

bench-quick: $(VENV)/.installed-test
	@bash scripts/system-deps.sh --bench
	$(BIN)/python -m bench --scale school

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
