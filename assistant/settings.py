"""The one Settings object. Every setting is read here, from ASSISTANT_* environment variables."""

from __future__ import annotations

import difflib
import functools
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import SettingsError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent

# Offline for good: nothing in this product may wait on a model hub.
for _var, _val in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                   ("HF_HUB_DISABLE_TELEMETRY", "1"), ("ANONYMIZED_TELEMETRY", "False"),
                   ("GRADIO_ANALYTICS_ENABLED", "False"), ("TOKENIZERS_PARALLELISM", "false")):
    os.environ.setdefault(_var, _val)


def _default_home() -> Path:
    # Running from a checkout: keep indexes beside the corpus. Installed elsewhere: a user dir.
    if (REPO_DIR / "corpus").is_dir():
        return REPO_DIR
    return Path.home() / ".local" / "share" / "strengths-assistant"


class Settings(BaseSettings):
    """All settings; set any of them as ASSISTANT_<NAME> (e.g. ASSISTANT_SEARCH_K=8)."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid", validate_default=True)

    home: Path = Field(default_factory=_default_home, description="Base folder for corpus/ and indexes/")
    corpus_dir: Path | None = Field(default=None, description="Guidance folder ingested by default (home/corpus)")
    index_dir: Path | None = Field(default=None, description="Where indexes are built (home/indexes)")
    index_name: str = Field(default="default", description="Name of the index under index_dir")

    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Embedding model: the bundled all-MiniLM-L6-v2, a local path, a cached model name, or 'fake-hash' for tests",
    )
    embedding_backend: str = Field(default="auto", description="auto | torch | onnx (auto: ONNX when available)")
    chunk_target_chars: int = Field(default=320, ge=80, le=4000, description="Aim for passages about this long")
    chunk_max_chars: int = Field(default=520, ge=120, le=8000, description="Never make a passage longer than this unless one sentence is")

    search_k: int = Field(default=5, ge=1, le=100, description="Passages returned by search")
    candidate_k: int = Field(default=30, ge=5, le=500, description="Candidates taken from each retriever before fusion")
    lexical_scope: Literal["pool", "top"] = Field(default="pool", description="pool: every candidate gets its keyword score, with each word's idf counted among the candidates (so unrelated documents added to the library do not reweigh the words); top: only BM25's own top candidate_k get one, idf from the whole library (before issue 18)")
    fusion_reference: int = Field(default=30, ge=0, le=500, description="Scores are standardised against the best this many candidates of a first fusion pass, not all of them (a crowd of unrelated passages among the candidates does not reweigh the signals); 0 = all candidates")
    lexical_weight: float = Field(default=0.5, ge=0.0, le=5.0, description="Weight of the standardised BM25 (keyword) score beside standardised cosine similarity in hybrid search")
    sentence_vectors: bool = Field(default=True, description="Also embed every sentence at ingest, so a passage is found by its best-matching sentence (paraphrased questions); off: passage vectors only")
    sentence_scan_limit: int = Field(default=40000, ge=0, description="Up to this many sentences every one is compared with the query (finds passages the passage vectors miss); above it, sentences only rescore the candidates, keeping search fast in large libraries")
    sentence_floor: float | None = Field(default=0.15, ge=0.0, le=1.0, description="A passage's best-sentence score is never more than this below its whole-passage score (its sentences lack the title the passage vector carries); None = off")
    sentence_weight: float = Field(default=0.67, ge=0.0, le=1.0, description="Share of the dense score taken from a passage's best sentence (the rest from the whole passage), when sentence vectors are on")
    query_expansion: bool = Field(default=True, description="Widen the keyword search with the library's own words closest in meaning to the question's words (e.g. 'bosses' also finds 'management'), at expansion_weight; needs word vectors built at ingest")
    expansion_weight: float = Field(default=0.3, ge=0.0, le=1.0, description="Weight of a near-synonym beside a word the question really uses, in the keyword score")
    library_topic: str = Field(default="strengths-based approaches", description="What the library is about: a standalone question saying 'this way of working' or 'this approach' is also searched with these words in its place ('' = off)")
    off_topic_floor: float = Field(default=0.3, ge=-1.0, le=1.0, description="A passage whose similarity to library_topic is below this loses fused score in search (pages about something else, such as council tax or bus times, kept beside the guidance)")
    document_weight: float = Field(default=3.0, ge=0.0, le=20.0, description="Fused-score gain per unit of the share of the query's words (weighted by their rarity in English, so the same at 40 and 4,000 passages) that a candidate's whole document has: beside a thousand council pages that each share 'council' with a question, the guidance document that has most of its words keeps its passages on top. 3 raised recall@5 in the 1,238-passage library (benchmarks/library_growth.py) on fresh 0.80 -> 0.90, blind6 0.925 -> 0.95, dev and holdout unchanged; 0 = off")
    off_topic_weight: float = Field(default=0.0, ge=0.0, le=100.0, description="Fused-score loss per unit of similarity below off_topic_floor (fused scores are sums of z-scores, about 1 apart at the top; at 10 a council-tax passage at 0.1 loses 2). 0 = off, the default: the bundled model puts a council's own Section 42 or direct-payments policy passages at 0.17 and -0.04 from the default topic, so the penalty would bury a user's own policies; set it (about 10) only for a library whose topic line describes every document you want found")
    answer_max_sentences: int = Field(default=4, ge=1, le=12, description="Most sentences in an extractive answer")
    abstain_threshold: float = Field(default=0.25, description="Answer only when a passage's similarity + weighted word coverage reaches this (after the name, number and answer-type checks); else say the guidance does not cover it. Calibrated on the dev questions")
    abstain_coverage_weight: float = Field(default=0.5, ge=0.0, description="Weight of the question's word coverage in that confidence")
    safeguarding_meaning: bool = Field(default=True, description="Also match a situation's sentences and clauses by meaning to the safeguarding indicator bank (corpus/safety/indicators*.yaml), beside the signal table; off: the table alone")

    llm_provider: str = Field(default="", description="'' (extractive, offline), 'openai' (any OpenAI-compatible server) or 'ollama'")
    llm_model: str = Field(default="", description="Chat model name for the LLM backend")
    llm_base_url: str = Field(default="", description="Base URL of the OpenAI-compatible server or Ollama")
    llm_api_key: SecretStr = Field(default=SecretStr(""), description="API key for the LLM server, if it needs one")
    llm_timeout: float = Field(default=60.0, description="Seconds to wait for the LLM")
    llm_max_tokens: int = Field(default=400, ge=16, le=8192, description="Most tokens the LLM may write for one answer (a small model left uncapped can write thousands)")
    llm_answer_seconds: float = Field(default=45.0, gt=0, description="Longest one LLM answer may take, writing and verifying; what is not done by then is left out (or the extractive answer is shown)")

    chroma_host: str = Field(default="", description="Use a Chroma server at this host instead of the embedded store")
    chroma_port: int = Field(default=8000, description="Port of the Chroma server")

    max_question_chars: int = Field(default=2000, ge=10, description="Longest question or search query accepted")
    max_text_chars: int = Field(default=60000, ge=100, description="Longest text accepted by check, prompts and reframe")
    max_file_mb: float = Field(default=25.0, gt=0, description="Largest guidance file accepted for ingest/upload")

    host: str = Field(default="127.0.0.1", description="Address the app binds to")
    port: int = Field(default=7860, description="Port the app listens on")
    auth_username: str = Field(default="", description="Username required by the app (needed to bind beyond loopback)")
    auth_password: SecretStr = Field(default=SecretStr(""), description="Password required by the app")
    allow_unauthenticated_remote: bool = Field(default=False, description="Bind beyond loopback without a password (logged loudly)")
    log_user_text: bool = Field(default=False, description="Write questions and situations to logs (off: personal data stays out of logs)")
    app_concurrency: int = Field(default=4, ge=1, description="Requests the app works on at once")

    @property
    def corpus_path(self) -> Path:
        return self.corpus_dir or self.home / "corpus"

    @property
    def index_root(self) -> Path:
        return self.index_dir or self.home / "indexes"


def _check_unknown_env() -> None:
    known = {f"ASSISTANT_{n.upper()}" for n in Settings.model_fields}
    for key in os.environ:
        if key.startswith("ASSISTANT_") and key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" Did you mean {close[0]}?" if close else " See `assistant settings` for the list."
            raise SettingsError(f"Unknown setting {key}.{hint}")


def load_settings(**overrides) -> Settings:
    """Build Settings from the environment plus explicit overrides, with readable errors."""
    _check_unknown_env()
    try:
        return Settings(**overrides)
    except ValidationError as e:
        first = e.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        raise SettingsError(f"Setting {name}: {first['msg']}.") from e


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
