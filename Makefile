# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install the project, clean raw/ into cleaned/
#   make test   create .venv, install the project with test extras, run lint, types and tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test check lint bench browser clean

# The browser test of the HTML report runs Debian's Chromium (nothing is downloaded elsewhere).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/pipeline run raw --out cleaned --report

check: $(VENV)/.installed
	$(BIN)/pipeline check raw --out cleaned

lint: $(VENV)/.installed-test
	$(BIN)/ruff check pipeline tests
	$(BIN)/ruff format --check pipeline tests
	$(BIN)/mypy

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -q >/dev/null && \
	    $(SUDO) apt-get install -y -q chromium chromium-driver >/dev/null; }; }
	@command -v chromium >/dev/null

# Two test processes (one per core), a test file each at a time: its fixtures stay together.
test: lint browser
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(VENV)/.installed
	$(BIN)/pipeline bench --jobs 2 --repeat 3

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
