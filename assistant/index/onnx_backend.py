"""ONNX Runtime embedding backend: sentence-transformers' vectors without importing torch at query time.

The bundled model is exported to ONNX once per machine (torch's TorchScript exporter,
opset 17, dynamic batch and sequence axes) and cached under

    $XDG_CACHE_HOME/strengths-assistant/onnx/<key>/model.onnx   (default ~/.cache/...)

where <key> hashes the model folder's identity (path, size and mtime of its weights,
config and tokenizer) plus the export recipe version. The cache belongs to the model,
not to an index, so every index and every test run on the machine shares it. Writes
go to a temp file and are published with os.replace under a file lock, so concurrent
processes never see a half-written model. After that, a query needs only the fast
`tokenizers` tokenizer and onnxruntime: mean pooling over the attention mask and L2
normalisation reproduce sentence-transformers to cosine > 0.9999.

Any failure (onnxruntime missing, an unusual model, export error) makes try_load
return None so the caller uses the torch path; with required=True it raises
SettingsError instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
import uuid
from pathlib import Path

import numpy as np

from assistant.errors import SettingsError
from assistant.index.embedder import Embedder, resolve_model_path

log = logging.getLogger(__name__)

# Bump when the export recipe changes: old cached files are then ignored, never reused.
EXPORT_VERSION = 1
# fp32 only: int8 dynamic quantisation was measured (benchmarks/quantise.py, docs/benchmarks.md)
# and did not earn its place; see the report there.
VARIANT = "fp32"
THREADS = max(1, min(4, os.cpu_count() or 1))
# Batches are cut by padded tokens, not by count: measured on 2 cores, ~8 passages of ~80 tokens per call
# ran ~40 % faster than 64 (activations stay in cache), while a word of 4 tokens wastes most of a call
# at 8 per batch. Texts are sorted by token count over the whole call, so a batch pads little.
# (benchmarks/embed_order.py measures the padding and the rate; docs/benchmarks.md has the figures.)
TOKEN_BUDGET = 768
MAX_ROWS = 256
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_IDENTITY_FILES = ("config.json", "tokenizer.json", "modules.json", "sentence_bert_config.json") + _WEIGHT_FILES
_CHECK_TEXTS = ["Strengths-based practice looks at what a person can do.", "munro 2011",
                "A carer's assessment should consider the carer's own wellbeing, networks and the "
                "community resources around them, not only the tasks they carry out."]


class OnnxUnavailable(Exception):
    """Why the ONNX path cannot be used here (the message is shown to the user when ONNX is required)."""


class OnnxEmbedder(Embedder):
    """MiniLM-style sentence embeddings on onnxruntime: tokenise, run, mean-pool, normalise."""

    def __init__(self, name: str, model_dir: Path, onnx_path: Path, max_len: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name, self.path = name, onnx_path
        self.dim = int(json.loads((model_dir / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json ships with fixed 128-token padding; sentence-transformers pads per batch instead.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_len)
        self._pad = self.tokenizer.token_to_id("[PAD]") or 0
        self.session = ort.InferenceSession(str(onnx_path), _session_options(ort), providers=["CPUExecutionProvider"])
        self._feeds = [i.name for i in self.session.get_inputs()]

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """One row per text. `batch_size` is accepted for the interface; batches follow TOKEN_BUDGET."""
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        enc = self.tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in enc])
        for idx in plan_batches(lengths):
            out[idx] = self._run([enc[i] for i in idx])
        return out

    def _run(self, enc: list) -> np.ndarray:
        width = max(len(e.ids) for e in enc)
        arrays = {k: np.zeros((len(enc), width), dtype=np.int64) for k in _INPUTS}
        arrays["input_ids"].fill(self._pad)
        for r, e in enumerate(enc):
            n = len(e.ids)
            arrays["input_ids"][r, :n] = e.ids
            arrays["attention_mask"][r, :n] = 1
            arrays["token_type_ids"][r, :n] = e.type_ids
        hidden = self.session.run(None, {k: arrays[k] for k in self._feeds})[0]
        return _pool(hidden, arrays["attention_mask"])


def plan_batches(lengths: np.ndarray, budget: int = TOKEN_BUDGET, max_rows: int = MAX_ROWS) -> list[np.ndarray]:
    """Row indices per model call: longest first, each call holding as many rows as fit in `budget`
    padded tokens (rows × its longest text), at least one."""
    order = np.argsort(-np.asarray(lengths), kind="stable")
    out, start = [], 0
    while start < len(order):
        width = int(lengths[order[start]])  # the longest of this batch: sorted, so its first
        rows = max(1, min(max_rows, budget // max(width, 1)))
        out.append(order[start:start + rows])
        start += rows
    return out


def padding(lengths: np.ndarray, batches: list[np.ndarray]) -> float:
    """Share of the tokens the model runs that are padding."""
    lengths = np.asarray(lengths)
    run = sum(len(b) * int(lengths[b].max()) for b in batches)
    return 1 - float(lengths.sum()) / run if run else 0.0


def _pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over real tokens, then unit length: sentence-transformers' Pooling + Normalize."""
    m = mask[..., None].astype(np.float32)
    vecs = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    return (vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _session_options(ort):
    so = ort.SessionOptions()
    so.intra_op_num_threads = THREADS
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3  # onnxruntime's own warnings are about graph internals, not the user
    return so


# ---------------------------------------------------------------- loading


def try_load(name: str, required: bool = False) -> Embedder | None:
    """Return an ONNX embedder for `name`, or None so the caller uses the torch path."""
    try:
        return load(name)
    except OnnxUnavailable as e:
        if required:
            raise SettingsError(
                f"ASSISTANT_EMBEDDING_BACKEND=onnx, but the ONNX backend cannot load '{name}': {e}. "
                "Set ASSISTANT_EMBEDDING_BACKEND=auto (falls back to torch) or torch."
            ) from e
        log.info("ONNX embeddings unavailable (%s); using sentence-transformers on torch", e)
        return None


def load(name: str, variant: str = VARIANT) -> OnnxEmbedder:
    """Load the ONNX embedder, exporting the model first if this machine has no cached copy."""
    model_dir, max_len = _check_model(name)
    try:
        import onnxruntime  # noqa: F401  (fail here, before any export work)
    except ImportError as e:
        raise OnnxUnavailable("onnxruntime is not installed") from e
    path = prepare(name, variant)
    try:
        return OnnxEmbedder(name, model_dir, path, max_len)
    except Exception as e:  # a damaged cache file (disk full, a copied home folder): export it again, once
        log.info("cached ONNX model %s is unusable (%s: %s); exporting it again", path, e.__class__.__name__, e)
        _discard(path.parent)
    path = prepare(name, variant)
    try:
        return OnnxEmbedder(name, model_dir, path, max_len)
    except Exception as e:
        raise OnnxUnavailable(f"could not start an ONNX session for {path} ({e.__class__.__name__}: {e})") from e


def prepare(name: str, variant: str = VARIANT) -> Path:
    """Path of the cached ONNX model for `name`, exporting it first if needed (`assistant ingest` can call this)."""
    from filelock import FileLock

    model_dir, _ = _check_model(name)
    folder = cache_dir(model_dir, variant)
    if _ready(folder):
        return folder / "model.onnx"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with FileLock(str(folder / ".lock"), timeout=900):
            if not _ready(folder):  # another process may have finished while we waited
                _build(model_dir, folder, variant)
    except OnnxUnavailable:
        raise
    except Exception as e:  # export, I/O or lock trouble: all mean "use torch instead"
        raise OnnxUnavailable(f"export to {folder} failed ({e.__class__.__name__}: {e})") from e
    return folder / "model.onnx"


def cache_root() -> Path:
    """Where exported models live: the user's cache dir (XDG_CACHE_HOME honoured)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "strengths-assistant" / "onnx"


def cache_dir(model_dir: Path, variant: str = VARIANT) -> Path:
    """The cache folder for one model folder and variant."""
    ident = [EXPORT_VERSION, variant, str(model_dir.resolve())]
    for f in _IDENTITY_FILES:
        p = model_dir / f
        if p.is_file():
            st = p.stat()
            ident.append([f, st.st_size, st.st_mtime_ns])
    key = hashlib.sha1(json.dumps(ident).encode()).hexdigest()[:16]
    return cache_root() / f"{model_dir.name}-{key}"


def _discard(folder: Path) -> None:
    """Remove a cached model under the lock (meta.json first, so no reader takes it as complete)."""
    from filelock import FileLock

    with FileLock(str(folder / ".lock"), timeout=900):
        for name in ("meta.json", "model.onnx"):
            (folder / name).unlink(missing_ok=True)


def _ready(folder: Path) -> bool:
    # meta.json is published after model.onnx, so its presence means the model is complete.
    return (folder / "meta.json").is_file() and (folder / "model.onnx").is_file()


def _check_model(name: str) -> tuple[Path, int]:
    """The local model folder and its max sequence length, if the ONNX path reproduces it exactly."""
    path = Path(resolve_model_path(name))
    if not (path / "config.json").is_file() or not (path / "tokenizer.json").is_file():
        raise OnnxUnavailable(f"'{name}' is not a local model folder with config.json and tokenizer.json")
    modules = _read_json(path / "modules.json", [])
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds and not set(kinds) <= {"Transformer", "Pooling", "Normalize"}:
        raise OnnxUnavailable(f"the model has {', '.join(kinds)} layers; only Transformer + mean Pooling is supported")
    for m in modules:
        if m.get("type", "").endswith("Pooling"):
            pooling = _read_json(path / m.get("path", "") / "config.json", {})
            modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
            if modes != ["pooling_mode_mean_tokens"]:
                raise OnnxUnavailable(f"the model pools with {modes}; only mean pooling is supported")
    max_len = int(_read_json(path / "sentence_bert_config.json", {}).get("max_seq_length") or 256)
    return path, max_len


def _read_json(path: Path, default):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


# ---------------------------------------------------------------- export (needs torch, runs once)


def _build(model_dir: Path, folder: Path, variant: str) -> None:
    """Export (and for int8, quantise) into `folder`; check the result against torch before publishing."""
    t0 = time.perf_counter()
    log.warning("Preparing fast embeddings (one-off, ~10 s): exporting %s to ONNX in %s", model_dir.name, folder)
    tmp = folder / f"model.{uuid.uuid4().hex[:8]}.tmp"
    try:
        reference = _export(model_dir, tmp)
        if variant == "int8":
            _quantise(tmp)
        elif variant != "fp32":
            raise OnnxUnavailable(f"unknown ONNX variant '{variant}'")
        _, max_len = _check_model(str(model_dir))
        worst = float(np.min(np.sum(OnnxEmbedder("check", model_dir, tmp, max_len).encode(_CHECK_TEXTS)
                                    * reference, axis=1)))
        if worst < (0.999 if variant == "fp32" else 0.98):
            raise OnnxUnavailable(f"exported model disagrees with torch (cosine {worst:.4f})")
        _fsync(tmp)
        os.replace(tmp, folder / "model.onnx")
        meta = {"model_dir": str(model_dir), "variant": variant, "export_version": EXPORT_VERSION,
                "min_cosine_vs_torch": round(worst, 6), "seconds": round(time.perf_counter() - t0, 1)}
        _write_atomic(folder / "meta.json", json.dumps(meta, indent=1))
    finally:
        tmp.unlink(missing_ok=True)
    log.info("ONNX model ready in %.1f s (min cosine vs torch %.5f)", time.perf_counter() - t0, worst)


def _export(model_dir: Path, dest: Path) -> np.ndarray:
    """Export the Hugging Face encoder to `dest`; returns torch's pooled vectors for _CHECK_TEXTS."""
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as e:
        raise OnnxUnavailable("torch and transformers are needed once to export the model") from e
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        """Keyword-only call into the model: positional order changed across transformers releases."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    # Trace with a padded row so the attention-mask path is recorded, not optimised away.
    ids = torch.full((2, 8), 1000, dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    mask[1, 5:] = 0
    axes = {n: {0: "batch", 1: "sequence"} for n in (*_INPUTS, "last_hidden_state")}
    import warnings

    with torch.no_grad(), warnings.catch_warnings(), _without_onnx_package():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python branches
        # eval() on the wrapper too: the exporter restores the wrapper's mode afterwards, and a
        # wrapper left in training mode would switch dropout on for the torch reference below.
        torch.onnx.export(Encoder(model).eval(), (ids, mask, torch.zeros_like(ids)), str(dest), input_names=list(_INPUTS),
                          output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False)
        return _torch_reference(model_dir, model)


def _torch_reference(model_dir: Path, model) -> np.ndarray:
    import torch
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.no_padding()
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    enc = tok.encode_batch(_CHECK_TEXTS)
    ids = torch.tensor([e.ids for e in enc])
    mask = torch.tensor([e.attention_mask for e in enc])
    hidden = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
    return _pool(hidden.numpy(), mask.numpy())


@contextlib.contextmanager
def _without_onnx_package():
    """Let torch's TorchScript exporter run without the `onnx` package.

    The exporter imports `onnx` only to splice custom onnxscript functions into the graph; a
    BERT encoder has none, so passing the serialised bytes through unchanged is exact. If a
    future torch moves this hook, the export fails and the caller falls back to torch.
    """
    try:
        import onnx  # noqa: F401
    except ImportError:
        from torch.onnx._internal.torchscript_exporter import onnx_proto_utils as hook

        original = hook._add_onnxscript_fn
        hook._add_onnxscript_fn = lambda model_bytes, custom_opsets: model_bytes
        try:
            yield
        finally:
            hook._add_onnxscript_fn = original
        return
    yield


def _quantise(path: Path) -> None:
    """int8 dynamic quantisation of the weights, in place (needs the `onnx` package)."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as e:
        raise OnnxUnavailable("int8 quantisation needs the `onnx` package") from e
    out = path.with_suffix(".int8.tmp")
    try:
        # Per-channel scales: per-tensor int8 drops MiniLM's cosine to ~0.92 vs fp32, per-channel keeps ~0.99.
        quantize_dynamic(str(path), str(out), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(out, path)
    finally:
        out.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
