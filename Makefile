# Two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Local, disposable data for `make run`; never the user's real data directory.
DATA_DIR ?= .fieldkit-data

.PHONY: run test test-deps lint typecheck pytest bench bench-quick docs screenshots dist clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# The app's `run` starts a local demo service center, so it needs the server extras too; the
# camera extra lets a laptop's or tablet's camera take evidence photos.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[server,camera]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(PY) -m fieldkit --data-dir $(DATA_DIR) run

test: test-deps $(VENV)/.installed-dev lint typecheck pytest

# poppler, zbar, Qt's libraries: installed when possible, else the one line to run.
test-deps:
	tools/test-deps.sh

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests bench

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy

pytest: test-deps $(VENV)/.installed-dev
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest

# Benchmarks print their figures next to a baseline measured in the same run.
bench: $(VENV)/.installed-dev
	$(PY) -u -m bench

bench-quick: $(VENV)/.installed-dev
	$(PY) -u -m bench --quick

# PNG renders of a slip (zh, en), a quote and an inspection report, shown in the README.
docs: $(VENV)/.installed
	$(PY) -m fieldkit.reports.samples docs/documents

# The app's screens in English and Chinese, offscreen, from a fresh demo data set.
screenshots: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(PY) -m fieldkit.ui.screenshots docs/screenshots

$(VENV)/.installed-dist: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[server,camera,dist]'
	touch $@

# Linux bundle (PyInstaller one-folder) and .deb in dist/; the built binary self-tests.
dist: $(VENV)/.installed-dist
	installer/linux/build.sh $(PY)

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache .mypy_cache .ruff_cache build dist
