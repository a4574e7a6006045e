"""The library keeps only files it can read, says which it refused and why, and never re-parses a file."""

from __future__ import annotations

import pytest

from assistant.cli import main
from assistant.index import parsecache
from assistant.index.store import ingest, library_dir, parse_cache_dir
from assistant.settings import load_settings

GOOD = "# Lunch clubs\n\nA lunch club helps people keep in touch with neighbours every week.\n"


@pytest.fixture
def small_corpus(fake_model, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    (corpus / "guidance").mkdir(parents=True)
    (corpus / "guidance" / "clubs.md").write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ASSISTANT_SENTENCE_VECTORS", "false")
    from assistant.settings import get_settings

    get_settings.cache_clear()
    return load_settings()


def test_a_refused_file_is_not_kept_and_ingest_exits_1_saying_why(small_corpus, tmp_path, capsys):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4\ngarbage that is not a PDF body at all\n%%EOF\n")
    assert main(["ingest", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "scan.pdf" in err and "damaged" in err
    assert not (library_dir(small_corpus) / "scan.pdf").exists()
    assert main(["ingest"]) == 0  # and it is not reported again


def test_a_good_file_exits_0(small_corpus, tmp_path):
    good = tmp_path / "walks.md"
    good.write_text("# Walks\n\nA walking group is a strength in the community for many older people.\n")
    assert main(["ingest", str(good)]) == 0
    assert (library_dir(small_corpus) / "walks.md").exists()


def test_leftovers_from_earlier_versions_are_listed_and_cleared(small_corpus, capsys):
    lib = library_dir(small_corpus)
    lib.mkdir(parents=True, exist_ok=True)
    (lib / "old.docx").write_bytes(b"not a zip at all")  # copied in by a version that kept refused files
    rep = ingest(small_corpus, progress=False)
    (where, why), = rep.skipped.items()
    assert where.endswith("old.docx") and "--clear-refused" in why
    assert main(["ingest", "--clear-refused"]) == 0
    assert not (lib / "old.docx").exists()
    assert not ingest(small_corpus, progress=False).skipped


def test_unchanged_files_are_not_parsed_again(small_corpus, monkeypatch):
    ingest(small_corpus, progress=False)
    assert any(parse_cache_dir(small_corpus).glob("*.json"))
    calls = []
    real = parsecache.load_path
    monkeypatch.setattr(parsecache, "load_path", lambda *a, **k: calls.append(a) or real(*a, **k))
    rep = ingest(small_corpus, progress=False)
    assert rep.unchanged == ["clubs"] and calls == []
    guide = small_corpus.corpus_path / "guidance" / "clubs.md"
    guide.write_text(GOOD + "\nA changed line about lunch clubs and transport to them.\n", encoding="utf-8")
    rep = ingest(small_corpus, progress=False)
    assert rep.updated == ["clubs"] and len(calls) == 1
    assert len(list(parse_cache_dir(small_corpus).glob("*.json"))) == 1  # the stale parse is pruned


def test_a_leftover_can_be_removed_by_its_id(small_corpus):
    ingest(small_corpus, progress=False)
    lib = library_dir(small_corpus)
    lib.mkdir(parents=True, exist_ok=True)
    (lib / "Old Form.docx").write_bytes(b"not a zip at all")
    assert main(["remove", "old-form"]) == 0
    assert not (lib / "Old Form.docx").exists()
