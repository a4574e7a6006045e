"""The ONNX embedding backend: same vectors as torch, one cached export per machine, clean fallback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import SettingsError
from assistant.index import onnx_backend
from assistant.index.embeddings import resolve_model_path

pytestmark = pytest.mark.model
MODEL = "all-MiniLM-L6-v2"
CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "guidance"
LOAD_SNIPPET = ("import sys; from assistant.index import onnx_backend as o; "
                "e = o.try_load('all-MiniLM-L6-v2', required=True); "
                "print('torch' in sys.modules, e.encode_query('munro 2011').shape)")


def _run(code: str, cache: Path) -> subprocess.Popen:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """An empty cache that two processes load the model into at the same time."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    procs = [_run(LOAD_SNIPPET, cache) for _ in range(2)]
    outcomes = [(*p.communicate(timeout=900), p.returncode) for p in procs]
    return cache, outcomes


@pytest.fixture
def use_cache(shared_cache, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache[0]))
    return shared_cache[0]


def _model_file() -> Path:
    """The cached model file under the current XDG_CACHE_HOME."""
    return onnx_backend.cache_dir(Path(resolve_model_path(MODEL))) / "model.onnx"


def _corpus_sentences(n: int = 10) -> list[str]:
    from assistant.ingest.loaders import load_path
    from assistant.textutil import sentence_spans

    out = []
    for f in sorted(CORPUS.glob("*.md")):
        text = load_path(f).text
        spans = [text[s:e] for s, e in sentence_spans(text) if len(text[s:e]) > 40]
        out.extend(spans[:2])
    return out[:n]


def test_concurrent_first_loads_export_exactly_once(shared_cache):
    _, outcomes = shared_cache
    assert [rc for _, _, rc in outcomes] == [0, 0], [err[-800:] for _, err, _ in outcomes]
    assert all("(384,)" in out for out, _, _ in outcomes)
    exported = [err for _, err, _ in outcomes if "Preparing fast embeddings" in err]
    assert len(exported) == 1, "the second process must wait for the lock and reuse the first one's export"


def test_cached_export_is_reused_and_torch_is_not_imported(use_cache):
    model_file = _model_file()
    meta = model_file.with_name("meta.json")
    before = (model_file.stat().st_mtime_ns, meta.stat().st_mtime_ns)
    proc = _run(LOAD_SNIPPET, use_cache)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-800:]
    assert out.startswith("False"), "loading a cached ONNX model must not import torch"
    assert "Preparing fast embeddings" not in err
    assert (model_file.stat().st_mtime_ns, meta.stat().st_mtime_ns) == before
    assert not list(model_file.parent.glob("*.tmp")), "no temp files left behind"


def test_vectors_match_sentence_transformers(use_cache):
    from assistant.index.embeddings import SentenceTransformerEmbedder

    texts = _corpus_sentences(10)
    texts.append(" ".join(texts) * 3)  # longer than 256 tokens: both sides must truncate the same way
    fast = onnx_backend.load(MODEL)
    ref = SentenceTransformerEmbedder(MODEL).encode(texts)
    got = fast.encode(texts, batch_size=4)  # several padded batches, sorted by length internally
    assert got.shape == ref.shape == (len(texts), 384) and got.dtype == np.float32
    cos = np.sum(got * ref, axis=1)
    assert cos.min() >= 0.999, cos
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    single = fast.encode_query(texts[0])
    assert float(single @ ref[0]) >= 0.999
    assert fast.encode([]).shape == (0, 384)


def test_encoding_from_many_threads_gives_the_same_vectors(use_cache):
    fast = onnx_backend.load(MODEL)
    texts = _corpus_sentences(8)
    expected = fast.encode(texts)
    results: dict[int, np.ndarray] = {}

    def work(i: int) -> None:
        results[i] = fast.encode(texts[i % 4:] + texts[:i % 4])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, got in results.items():
        rolled = expected[i % 4:].tolist() + expected[:i % 4].tolist()
        assert np.allclose(got, np.asarray(rolled), atol=1e-5)


def test_a_damaged_cached_model_is_exported_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = onnx_backend.cache_dir(Path(resolve_model_path(MODEL)))
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"not a model")
    (folder / "meta.json").write_text("{}")
    emb = onnx_backend.try_load(MODEL)
    assert emb is not None and emb.encode_query("carers").shape == (384,)
    assert (folder / "model.onnx").stat().st_size > 1_000_000
    assert '"min_cosine_vs_torch"' in (folder / "meta.json").read_text()


def test_missing_onnxruntime_falls_back_or_names_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` raise ImportError
    assert onnx_backend.try_load(MODEL) is None
    with pytest.raises(SettingsError) as e:
        onnx_backend.try_load(MODEL, required=True)
    assert "onnxruntime is not installed" in str(e.value) and "ASSISTANT_EMBEDDING_BACKEND" in str(e.value)


def test_get_embedder_uses_torch_when_onnx_cannot_load(monkeypatch):
    from assistant.index import embeddings
    from assistant.settings import load_settings

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    embeddings._cached.cache_clear()
    try:
        emb = embeddings.get_embedder(load_settings(embedding_backend="auto"))
        assert isinstance(emb, embeddings.SentenceTransformerEmbedder)
        embeddings._cached.cache_clear()
        with pytest.raises(SettingsError):
            embeddings.get_embedder(load_settings(embedding_backend="onnx"))
    finally:
        embeddings._cached.cache_clear()


def test_models_it_cannot_reproduce_are_refused(tmp_path):
    assert onnx_backend.try_load("no-such-model-anywhere") is None
    with pytest.raises(SettingsError, match="not a local model folder"):
        onnx_backend.try_load("no-such-model-anywhere", required=True)
    model = tmp_path / "cls-model"
    (model / "1_Pooling").mkdir(parents=True)
    for f in ("config.json", "tokenizer.json"):
        (model / f).write_text("{}")
    (model / "modules.json").write_text('[{"type": "sentence_transformers.models.Transformer", "path": ""},'
                                        ' {"type": "sentence_transformers.models.Pooling", "path": "1_Pooling"}]')
    (model / "1_Pooling" / "config.json").write_text('{"pooling_mode_cls_token": true}')
    with pytest.raises(SettingsError, match="only mean pooling"):
        onnx_backend.try_load(str(model), required=True)


def test_importing_the_library_does_not_import_torch():
    code = ("import sys, assistant.cli, assistant.core, assistant.index.store, assistant.search.retrieve, "
            "assistant.answer.answerer, assistant.check.verify, assistant.prompts.generate, "
            "assistant.index.embeddings, assistant.index.onnx_backend; "
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-800:]
    assert out.stdout.strip() == "[]"
