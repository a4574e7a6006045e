"""Parse time per page and per MB for each format, and no-op / add-one ingest times at ~1,500 passages.

    PYTHONPATH=. python benchmarks/ingest_formats.py [--passages 1500]

Documents come from the test generators (tests/ingest/docgen); the index uses the fake-hash embedder, so
the ingest figures are parsing and bookkeeping, not the model.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "ingest"))


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def parse_figures(tmp: Path) -> list[tuple[str, int, float, float]]:
    from docgen.make_pdfs import manifesto_pdf, protocol_pdf
    from docgen.make_web import charity_html, govuk_markdown
    from docgen.make_word import policy_docx
    from pypdf import PdfReader, PdfWriter

    from assistant.ingest.loaders import load_path

    long_pdf = PdfWriter()  # an 84-page print document: the protocol's pages fourteen times
    for _ in range(14):
        for page in PdfReader(__import__("io").BytesIO(protocol_pdf())).pages:
            long_pdf.add_page(page)
    long_path = tmp / "long.pdf"
    with open(long_path, "wb") as f:
        long_pdf.write(f)
    files = {"protocol.pdf": protocol_pdf(), "manifesto.pdf": manifesto_pdf(), "policy.docx": policy_docx(),
             "page.html": charity_html().encode(), "page.md": govuk_markdown().encode()}
    rows = []
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    for path in [*(tmp / n for n in files), long_path]:
        pages = len(PdfReader(path).pages) if path.suffix == ".pdf" else 1
        secs = _time(lambda: load_path(path))
        rows.append((path.name, pages, secs, path.stat().st_size / 1e6))
    return rows


def pdf_library_comparison(tmp: Path) -> list[tuple[str, float, float]]:
    """Characters with box, font name and size from each maintained library, on the same 84-page file."""
    import pypdfium2

    from assistant.ingest.pdf import _pdfium_chars

    path = tmp / "long.pdf"
    n = len(pypdfium2.PdfDocument(str(path)))

    def pdfium():
        doc = pypdfium2.PdfDocument(str(path))
        for i in range(n):
            page = doc[i]
            _pdfium_chars(page, page.get_height())

    rows = [("pypdfium2 (what the reader uses)", _time(pdfium, 2) / n, n)]
    try:
        import pdfplumber
    except ImportError:
        return rows + [("pdfplumber (not installed)", float("nan"), n)]

    def plumber():
        with pdfplumber.open(str(path)) as pdf:
            for p in pdf.pages:
                p.chars  # noqa: B018  (characters with font name and size)

    return rows + [("pdfplumber / pdfminer.six", _time(plumber, 2) / n, n)]


def ingest_figures(tmp: Path, passages: int) -> dict[str, float]:
    os.environ.update({"ASSISTANT_HOME": str(tmp / "home"), "ASSISTANT_MODEL": "fake-hash",
                       "ASSISTANT_CORPUS_DIR": str(tmp / "corpus"), "ASSISTANT_INDEX_DIR": str(tmp / "idx")})
    from assistant.index.store import ingest
    from assistant.settings import load_settings

    guidance = tmp / "corpus" / "guidance"
    guidance.mkdir(parents=True)
    per_doc = 50
    for d in range(passages // per_doc):
        paras = [f"{d}.{i} Paragraph {i} of guide {d}: practitioners ask the person what matters to them, "
                 f"who helps them and which community groups they use, before any service is offered. "
                 f"The plan records strength number {i * 7 + d} in the person's own words." for i in range(per_doc)]
        (guidance / f"guide-{d}.md").write_text(f"# Guide {d}\n\n" + "\n\n".join(paras) + "\n", encoding="utf-8")
    s = load_settings()
    t = time.perf_counter()
    first = ingest(s, progress=False)
    build = time.perf_counter() - t
    noop = _time(lambda: ingest(s, progress=False), 3)
    extra = tmp / "one-page.md"
    extra.write_text("# One page\n\nA single short note about lunch clubs and the people who run them.\n")
    t = time.perf_counter()
    ingest(s, [extra], progress=False)
    add = time.perf_counter() - t
    return {"passages": first.chunks_total, "first build s": build, "no-op s": noop, "add one s": add}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=1500)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print("| file | pages | parse s | s/page | MB | s/MB |\n|---|---|---|---|---|---|")
        for name, pages, secs, mb in parse_figures(tmp):
            print(f"| {name} | {pages} | {secs:.3f} | {secs / pages:.4f} | {mb:.3f} | {secs / mb:.2f} |")
        print("\n| PDF library (chars with positions) | s/page |\n|---|---|")
        for name, per_page, _ in pdf_library_comparison(tmp):
            print(f"| {name} | {per_page:.4f} |")
        print("\n" + " | ".join(f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}"
                                for k, v in ingest_figures(tmp, args.passages).items()))


if __name__ == "__main__":
    main()
