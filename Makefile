# Two commands do everything on a fresh machine:
#   make run   - create .venv, install, build the index on first run, start the app on 127.0.0.1:7860
#   make test  - the same install, plus a browser for the UI tests, then the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run test test-llm browser bench eval clean

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

# Opt in: a running OpenAI-compatible server (e.g. llama-cpp-python's), LLM_TEST_BASE_URL=http://127.0.0.1:8080/v1
# LLM_TEST_MODEL=<name>. Prints kept / removed sentences and seconds per answer.
test-llm: install
	$(PY) -m pytest -q -p no:cacheprovider -m llm_server -s tests/answer/test_llm_server.py

bench: install
	$(PY) benchmarks/run_all.py

eval: install
	$(PY) -m assistant eval

clean:
	rm -rf indexes/*/ .pytest_cache
