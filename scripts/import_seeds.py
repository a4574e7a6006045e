"""Turn the scraped seed pages (corpus/seeds, copied from ../shared/seeds) into corpus/guidance/*.md with front matter.

Run once when the seeds change: `python scripts/import_seeds.py [SEED_DIR]` (default corpus/seeds).
tests/test_corpus.py checks the corpus is what this script makes.
Cleaning is assistant.ingest.clean.clean_text (the same used for user uploads); the
metadata below is what each page itself states — nothing is invented (no URL
is given where the page did not show one).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from assistant.ingest.clean import clean_text  # noqa: E402

SEEDS = {
    "000_cd9c8ef096114663.txt": dict(
        slug="strengths-based-approaches-definitions",
        title="Strengths-based approaches: definitions",
        publisher="", audience=["adults", "carers"], jurisdiction="England", doc_type="glossary",
        aliases=["definitions of strengths-based approaches", "glossary"],
        headings={"Further information": 2},
    ),
    "001_bc2b25026562ab48.txt": dict(
        slug="care-act-2014-strengths-based-approaches",
        title="Strengths-based approaches: Care Act 2014 guidance",
        publisher="Social Care Institute for Excellence (SCIE)", audience=["adults", "carers"],
        jurisdiction="England", doc_type="guidance",
        aliases=["Care Act 2014 guidance", "Care Act guidance", "SCIE Care Act guidance on strengths-based approaches", "SCIE"],
        headings={},
    ),
    "002_7767fa0b2b28987e.txt": dict(
        slug="what-next-for-strengths-based-areas",
        title="New report asks 'what next for strengths-based areas?'",
        publisher="Social Care Institute for Excellence (SCIE)", audience=["community", "adults"],
        jurisdiction="England", doc_type="news",
        aliases=["what next for strengths-based areas", "strengths-based areas", "SCIE", "Mayday Trust", "TLAP", "Think Local Act Personal", "Alex Fox"],
        headings={"New report asks 'what next for strengths-based areas?'": 1},
    ),
    "003_1b3da15957e140f9.txt": dict(
        slug="looking-for-strengths-at-the-heart-of-social-care",
        title="Looking for strengths at the heart of social care",
        publisher="GOV.UK blog", author="Ewan King", audience=["adults", "community"],
        jurisdiction="England", doc_type="blog",
        aliases=["Ewan King", "King", "strengths at the heart of social care"],
        headings={"Looking for strengths at the heart of social care": 1, "Wider systems and relationships": 2,
                  "Making the most of people’s strengths": 2},
    ),
    "004_e5fd782616a6d11e.txt": dict(
        slug="strengths-based-social-care-children-young-people-families",
        title="Strengths-based social care for children, young people and their families",
        publisher="Social Care Institute for Excellence (SCIE)", audience=["children-families"],
        jurisdiction="England", doc_type="guidance",
        aliases=["Strengths-based social care for children", "SCIE children's guidance", "SCIE"],
        headings={"Strengths-based social care for children, young people and their families": 1,
                  "Why a strengths-based approach?": 2,
                  "Defining strengths-based approaches for children and young people and their families": 2},
    ),
}


def convert(seed: Path, spec: dict) -> str:
    body = clean_text(seed.read_text(encoding="utf-8"))
    lines = []
    for line in body.split("\n"):
        level = spec["headings"].get(line.strip())
        lines.append("#" * level + " " + line.strip() if level else line)
    # Scraped pages run paragraphs together with single newlines: give each its own block.
    text = "\n\n".join(l for l in "\n".join(lines).split("\n") if l.strip())
    text = text.replace("\n\n- ", "\n- ")
    meta = {k: v for k, v in spec.items() if k not in ("slug", "headings") and v}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n\n" + text + "\n"


DEFAULT_SEED_DIR = Path(__file__).resolve().parents[1] / "corpus" / "seeds"


def main(seed_dir: str | Path = DEFAULT_SEED_DIR) -> None:
    seed_dir = Path(seed_dir)
    missing = [name for name in SEEDS if not (seed_dir / name).is_file()]
    if missing:
        sys.exit(f"seed pages missing from {seed_dir}: {', '.join(missing)} — pass the seeds folder as the argument")
    out = Path(__file__).resolve().parents[1] / "corpus" / "guidance"
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in SEEDS.items():
        (out / f"{spec['slug']}.md").write_text(convert(seed_dir / name, spec), encoding="utf-8")
        print("wrote", spec["slug"])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SEED_DIR)
