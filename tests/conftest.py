"""Shared fixtures: every test gets its own index folder; real-model fixtures build one index per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


def pytest_addoption(parser):
    parser.addoption("--llm-server", action="store_true", default=False,
                     help="run the llm_server tests: start llama-cpp-python's server (or use LLM_TEST_BASE_URL) "
                          "and ask it real questions (`make test-llm`)")


def pytest_collection_modifyitems(config, items):
    """llm_server tests are opt in (`make test-llm`): the default suite and CI never start a model server."""
    if config.getoption("--llm-server"):
        return
    skip = pytest.mark.skip(reason="opt in with --llm-server (`make test-llm`)")
    for item in items:
        if "llm_server" in item.keywords:
            item.add_marker(skip)


def _reset_settings_cache() -> None:
    from assistant.settings import get_settings

    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test touches the user's indexes: ASSISTANT_* points at tmp_path, the corpus at the repo's."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(CORPUS))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "indexes"))
    _reset_settings_cache()
    yield
    _reset_settings_cache()


@pytest.fixture
def fake_model(monkeypatch):
    """Deterministic hashing embeddings: for tests about plumbing, not quality."""
    monkeypatch.setenv("ASSISTANT_MODEL", "fake-hash")
    _reset_settings_cache()


@pytest.fixture(scope="session")
def real_index_dir(tmp_path_factory) -> Path:
    """One index of the shipped corpus with the real bundled model, built once per test session."""
    from assistant.index.store import ingest
    from assistant.settings import load_settings

    d = tmp_path_factory.mktemp("real-index")
    settings = load_settings(corpus_dir=CORPUS, index_dir=d, home=d)
    ingest(settings, progress=False)
    return d


@pytest.fixture
def real_settings(real_index_dir, monkeypatch):
    """Settings pointing at the session's real-model index (read-only: do not ingest into it)."""
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(real_index_dir))
    _reset_settings_cache()
    from assistant.settings import get_settings

    return get_settings()


@pytest.fixture
def real_retriever(real_settings):
    from assistant.search.retrieve import Retriever

    return Retriever(real_settings)


@pytest.fixture
def real_assistant(real_settings):
    from assistant.core import Assistant

    return Assistant(real_settings)


@pytest.fixture
def corpus_copy(tmp_path, monkeypatch, fake_model):
    """A writable copy of the shipped guidance, used as the corpus, so tests can add or change documents."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS / "guidance", dst / "guidance")
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(dst))
    _reset_settings_cache()
    return dst
