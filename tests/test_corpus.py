"""The shipped corpus: every sentence of guidance in the seeds survives import verbatim, and nothing else gets in."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from assistant.ingest.loaders import load_path
from assistant.textutil import sentence_spans
from assistant.types import SETTINGS

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO / "corpus" / "seeds"
GUIDANCE_DIR = REPO / "corpus" / "guidance"


def _import_script():
    spec = importlib.util.spec_from_file_location("import_seeds", REPO / "scripts" / "import_seeds.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


import_seeds = _import_script()
SEEDS = import_seeds.SEEDS
CORPUS_FILES = sorted(GUIDANCE_DIR.glob("*.md"))

# The scraper's page furniture, spelled out independently of the loader's own patterns.
FURNITURE_LINES = {"top of page", "bottom of page", "leave a comment", "added on"}
FURNITURE_PREFIXES = (
    "performance issue: if clicking on a link doesn't do anything",
    "if a flag appears next to this message, click on it",
    "we only ask for your email address",
    "by submitting a comment you understand it may be published",
)


def norm(text: str) -> str:
    """Whitespace normalisation only: nothing else may differ between seed and corpus."""
    return " ".join(text.split())


def is_furniture(line: str) -> bool:
    low = norm(line).lower()
    return low in FURNITURE_LINES or low.startswith(FURNITURE_PREFIXES)


def seed_path(name: str) -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.fail(f"seed pages not found at {SEEDS_DIR}")
    path = SEEDS_DIR / name
    if not path.is_file():
        pytest.fail(f"seed {name} not found in {SEEDS_DIR}")
    return path


def corpus_file(spec: dict) -> Path:
    return GUIDANCE_DIR / f"{spec['slug']}.md"


def front_matter(path: Path) -> dict:
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("---\n"), f"{path.name} has no YAML front matter"
    return yaml.safe_load(raw.split("---\n", 2)[1])


seed_params = pytest.mark.parametrize("name", list(SEEDS), ids=[s["slug"] for s in SEEDS.values()])


@seed_params
def test_every_guidance_sentence_of_the_seed_is_in_the_corpus_verbatim(name):
    seed = seed_path(name).read_text(encoding="utf-8")
    kept = "\n".join(line for line in seed.split("\n") if not is_furniture(line))
    corpus = norm(load_path(corpus_file(SEEDS[name])).text)
    sentences = [norm(kept[s:e]) for s, e in sentence_spans(kept)]
    assert len(sentences) >= 5
    missing = [s for s in sentences if s not in corpus]
    assert missing == []


@seed_params
def test_the_corpus_holds_nothing_the_seed_does_not_say(name):
    seed = norm(seed_path(name).read_text(encoding="utf-8"))
    doc = load_path(corpus_file(SEEDS[name]))
    invented = [doc.text[s:e] for s, e in sentence_spans(doc.text) if norm(doc.text[s:e]) not in seed]
    assert invented == []


@seed_params
def test_corpus_file_is_what_the_import_script_makes(name):
    spec = SEEDS[name]
    expected = import_seeds.convert(seed_path(name), spec)
    assert corpus_file(spec).read_text(encoding="utf-8") == expected, "run scripts/import_seeds.py again"


@seed_params
def test_seed_headings_are_markdown_headings(name):
    spec = SEEDS[name]
    lines = load_path(corpus_file(spec)).text.split("\n")
    for heading, level in spec["headings"].items():
        assert "#" * level + " " + heading in lines


@seed_params
def test_url_only_where_the_seed_states_one(name):
    seed = seed_path(name).read_text(encoding="utf-8")
    meta = front_matter(corpus_file(SEEDS[name]))
    doc = load_path(corpus_file(SEEDS[name]))
    if "http" not in seed:
        assert "url" not in meta and doc.url == ""
    else:
        assert meta.get("url", "") == "" or meta["url"] in seed


@seed_params
def test_metadata_reaches_the_document(name):
    spec = SEEDS[name]
    doc = load_path(corpus_file(spec))
    assert (doc.doc_id, doc.title, doc.publisher, doc.author) == (
        spec["slug"], spec["title"], spec.get("publisher", ""), spec.get("author", ""))
    assert (doc.audience, doc.jurisdiction, doc.doc_type) == (spec["audience"], spec["jurisdiction"], spec["doc_type"])
    assert doc.aliases == spec["aliases"]


def test_every_seed_has_a_corpus_file():
    assert [f.name for f in CORPUS_FILES if f.stem in {s["slug"] for s in SEEDS.values()}] == sorted(
        f"{s['slug']}.md" for s in SEEDS.values())


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_front_matter_is_complete(path):
    meta = front_matter(path)
    for key in ("title", "audience", "jurisdiction", "doc_type"):
        assert meta.get(key), f"{path.name}: front matter needs '{key}'"
    assert isinstance(meta["audience"], list) and set(meta["audience"]) <= set(SETTINGS)
    assert load_path(path).title == meta["title"]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_no_page_furniture_in_the_corpus(path):
    text = load_path(path).text
    low = norm(text).lower()
    for phrase in FURNITURE_PREFIXES + ("top of page", "bottom of page", "leave a comment", "cookie"):
        assert phrase not in low, f"{path.name} still holds '{phrase}'"
    assert not [line for line in text.split("\n") if is_furniture(line)]


def test_furniture_in_the_seeds_is_what_this_test_expects():
    """Guards the test itself: the seeds really hold the furniture it drops, so dropping is not vacuous."""
    seen = set()
    for name in SEEDS:
        for line in seed_path(name).read_text(encoding="utf-8").split("\n"):
            if is_furniture(line):
                seen.add(norm(line).lower()[:30])
    assert len(seen) >= 7
