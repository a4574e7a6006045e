# Two commands do everything on a fresh machine:
#   make run   - create .venv, install, build the index on first run, start the app on 127.0.0.1:7860
#   make test  - the same install, plus a browser for the UI tests, then the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test browser bench eval clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,llm]'
	@rm -f $(VENV)/.installed-* && touch $@

run: install
	$(PY) -m assistant serve

browser:
	@bash scripts/install-browser.sh

test: install browser
	$(PY) -m pytest -q -p no:cacheprovider

bench: install
	$(PY) benchmarks/run_all.py

eval: install
	$(PY) -m assistant eval

clean:
	rm -rf indexes/*/ .pytest_cache
