"""The citation checker on the real corpus and the real model: verdicts, mismatches, citation forms, quotations,
the Markdown report and the `check` command line. Quality figures live in benchmarks/check_bench.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.check import mismatch
from assistant.check.quotes import check_quote
from assistant.check.verify import to_markdown
from assistant.errors import InputError

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
CARE_ACT = "care-act-2014-strengths-based-approaches"
BLOG = "looking-for-strengths-at-the-heart-of-social-care"
DEFS = "strengths-based-approaches-definitions"
CHILDREN = "strengths-based-social-care-children-young-people-families"
AREAS = "what-next-for-strengths-based-areas"

FAMILY = "Any suggestion of support from family and friends is subject to the agreement of the adult or carer"
QUICK_FIX = "a strengths-based approach should not be considered a quick fix"
COLLAB = "Working in a collaborative way promotes the opportunity for individuals to be co-producers of services"


@pytest.fixture(scope="module")
def checker(real_index_dir):
    """One Assistant over the session's real-model index, shared by every test here (read-only)."""
    from assistant.core import Assistant
    from assistant.settings import load_settings

    return Assistant(load_settings(corpus_dir=CORPUS, index_dir=real_index_dir, home=real_index_dir))


def one(checker, text: str):
    rep = checker.check(text)
    assert len(rep.claims) == 1, [c.text for c in rep.claims]
    return rep.claims[0]


# ---------------------------------------------------------------- verdicts


def test_supported_claim_carries_a_verbatim_evidence_quote(checker):
    c = one(checker, "Good strengths-based approaches can help reduce demand for high cost services over time.")
    assert c.verdict == "supported"
    assert c.supporting_doc_ids[0] == BLOG and c.cited is None
    ev = c.evidence[0]
    assert ev.doc_id == BLOG and "reduce demand for high cost services" in ev.quote
    assert checker.index.documents[BLOG].text[ev.start:ev.end] == ev.quote  # re-verifiable by offsets
    assert c.signals["dense"] > 0.6 and c.signals["lexical"] >= 0.7 and c.signals["mismatches"] == []


def test_misattributed_names_the_right_source(checker):
    c = one(checker, f"{FAMILY} (Looking for strengths at the heart of social care).")
    assert c.verdict == "misattributed"
    assert c.cited_doc_ids == [BLOG] and CARE_ACT in c.supporting_doc_ids
    assert "Care Act 2014 guidance" in c.fix and c.fix.startswith("Cite")


def test_invented_claim_is_unsupported_however_topical(checker):
    c = one(checker, "Strengths-based practice halves the cost of home care within six months.")
    assert c.verdict == "unsupported" and c.supporting_doc_ids == []
    assert c.fix and c.evidence  # the closest passage is still shown, to explain the refusal


def test_negated_claim_is_contradicted(checker):
    c = one(checker, "A strengths-based approach should be considered a quick fix.")
    assert c.verdict == "contradicted"
    assert BLOG == c.evidence[0].doc_id and "not be considered a quick fix" in c.evidence[0].quote
    assert "Reverse" in c.fix


@pytest.mark.parametrize("text, kind", [
    ("There has been a rapidly growing interest over the last eight years in strengths-based approaches.", "figure"),
    ("The asset-based area, published in 2014, described 10 features of an asset-based area.", "figure"),
    ("Ewan King is Director of Business Development at the Mayday Trust.", "entity"),
    ("Good strengths-based approaches can help reduce demand for high cost services, but only after sustained "
     "investment by NICE.", "entity"),
    ("The values and principles that inform this approach are new.", "negation"),
    ("Any suggestion that support could be available from family and friends must be considered in the light of "
     "their willingness and ability to provide it.", "modal"),
    ("Good strengths-based approaches will reduce demand for high cost services over time.", "modal"),
    ("Working in a collaborative way always makes individuals co-producers of services and support.", "absolute"),
    ("Only strengths-based approaches can help reduce demand for high cost services over time.", "absolute"),
])
def test_a_changed_detail_is_never_supported(checker, text, kind):
    c = one(checker, text)
    assert c.verdict in ("unsupported", "contradicted"), c.reason
    assert any(m.startswith(kind) for m in c.signals["mismatches"]), c.signals["mismatches"]


@pytest.mark.parametrize("original", [
    "There has been a rapidly growing interest over the last five years in strengths-based approaches.",
    "Any suggestion that support could be available from family and friends should be considered in the light of "
    "their willingness and ability to provide it.",
    "Ewan King is Director of Business Development at the Social Care Institute for Excellence.",
    "The Munro review of child protection in 2011 emphasised change from a system that has become over-bureaucratised.",
])
def test_the_unchanged_originals_are_supported(checker, original):
    assert one(checker, original).verdict == "supported"


# ---------------------------------------------------------------- mismatch detectors (plain strings, no model)


def test_mismatch_detectors_name_what_differs():
    window = "The asset-based area, published in 2017, described 10 features, says Ewan King of SCIE."
    assert mismatch.number_mismatches("published in 2019, described ten features", window) == [
        "figure: the claim says '2019' where the passage says '2017'"]  # a year where the passage has another
    assert mismatch.number_mismatches("It described twelve features in 2017.", window) == [
        "number: 12 is not in the passage"]  # a count the passage does not give: missing, not contradicted
    assert mismatch.number_mismatches("Visit within 48 hours.", "Visit within 14 days.") == [
        "figure: the claim says '48 hours' where the passage says '14 days'"]
    assert mismatch.number_mismatches("It described ten features in 2017.", window) == []
    assert mismatch.entity_mismatches("Alex Fox said so in 2017.", window) == ["entity: 'Alex Fox' is not in the passage"]
    assert mismatch.modal_strengthened("Carers must be asked.", "Carers should be asked.") == \
        "modal: 'must' where the passage says 'should'"
    assert mismatch.modal_strengthened("Carers should be asked.", "Carers should be asked.") is None
    assert mismatch.absolute_added("Every carer is asked.", "Carers are asked.") == ["absolute: 'every' is not in the passage"]
    assert mismatch.negation_flip("It is a quick fix.", "It should not be considered a quick fix.")
    assert mismatch.negation_flip("It is not a quick fix.", "It should not be considered a quick fix.") is None


def test_mismatch_detectors_general_rules():
    assert mismatch.number_mismatches("The webinar was held on 26 May.", "Free webinar. 26 March") == [
        "number: 'May' is not in the passage"]
    assert mismatch.number_mismatches("You may join on 26 March.", "Free webinar. 26 March") == []
    munro = "emphasised change from a system that has become over-bureaucratised"
    assert mismatch.negation_flip(munro, munro + " to one that is focused on safety") is None  # no 'to': still left behind
    assert mismatch.negation_flip("It emphasised a system that has become over-bureaucratised.", munro + " to one")
    assert mismatch.negation_flip("Interest has been falling.", "There has been a rapidly growing interest.")
    assert mismatch.negation_flip("Interest has been growing.", "There has been a rapidly growing interest.") is None
    assert mismatch.absolute_added("Only good approaches reduce demand.",
                                   "Good approaches reduce demand, but only after investment.") == [
        "absolute: 'only' is not in the passage"]
    assert mismatch.absolute_added("SBAs can only become embedded.", "SBAs can only become embedded in practice.") == []
    assert mismatch.modal_strengthened("Working together will make people co-producers.",
                                       "Working together promotes the opportunity for people to be co-producers.")
    assert mismatch.order_swap("Published in 2017, the asset-based area described 10 features.",
                               "The asset-based area, published in 2017, described 10 features.") is None
    assert mismatch.order_swap("Needs-based assessments are replacing strengths-based conversations.",
                               "Strengths-based conversations are replacing needs-based assessments.")
    framework = "This is why the new framework is so welcome and timely."
    assert mismatch.find_mismatches("Ewan King welcomes the new framework.", framework, byline="Ewan King") == []
    assert mismatch.find_mismatches("Alex Fox welcomes the new framework.", framework, byline="Ewan King") == [
        "entity: 'Alex Fox' is not in the passage"]


# ---------------------------------------------------------------- citation forms


@pytest.mark.parametrize("citation, cited_docs", [
    ("(Care Act 2014 guidance)", [CARE_ACT]),
    ("(SCIE, 2015)", [CARE_ACT, CHILDREN, AREAS]),
    ("(Strengths-based approaches: Care Act 2014 guidance)", [CARE_ACT]),
    ("(para 6.64)", [CARE_ACT]),
])
def test_parenthetical_citations_resolve(checker, citation, cited_docs):
    c = one(checker, f"{FAMILY} {citation}.")
    assert c.verdict == "supported", c.reason
    assert c.cited == citation and c.cited_doc_ids == cited_docs


def test_title_citation_of_the_wrong_document(checker):
    c = one(checker, "Practitioners will need time for research (Looking for strengths at the heart of social care).")
    assert c.cited_doc_ids == [BLOG]
    assert c.verdict == "misattributed" and c.supporting_doc_ids == [CARE_ACT]


def test_free_text_attribution(checker):
    right = one(checker, f"Ewan King writes that {QUICK_FIX}.")
    wrong = one(checker, f"Ewan King writes that {FAMILY[0].lower() + FAMILY[1:]}.")
    assert right.cited == wrong.cited == "Ewan King writes that"
    assert right.cited_doc_ids == wrong.cited_doc_ids == [BLOG]
    assert right.verdict == "supported" and wrong.verdict == "misattributed"


def test_numbered_markers_resolve_against_the_sources_list(checker):
    text = ("Good strengths-based approaches can help reduce demand for high cost services over time [1]. "
            f"{FAMILY} [2]. Personal strengths include relationships, experience, skills and aspirations [2].\n\n"
            "Sources:\n[1] Looking for strengths at the heart of social care (GOV.UK blog)\n"
            "[2] Strengths-based approaches: Care Act 2014 guidance")
    claims = checker.check(text).claims
    assert len(claims) == 3  # the Sources list is parsed, not checked
    assert [c.cited for c in claims] == ["[1]", "[2]", "[2]"]
    assert [c.cited_doc_ids for c in claims] == [[BLOG], [CARE_ACT], [CARE_ACT]]
    assert [c.verdict for c in claims] == ["supported", "supported", "misattributed"]
    assert DEFS in claims[2].supporting_doc_ids


def test_a_source_outside_the_library_is_flagged(checker):
    c = one(checker, f"{FAMILY} (Smith and Jones, 2019).")
    assert c.cited == "(Smith and Jones, 2019)" and c.cited_doc_ids == []
    assert c.verdict == "misattributed" and "not in the library" in c.reason


# ---------------------------------------------------------------- quotations


@pytest.mark.parametrize("open_, close", [('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’")])
def test_verbatim_quotation_straight_and_curly(checker, open_, close):
    c = one(checker, f"The Care Act guidance says {open_}{COLLAB}{close}.")
    assert c.quote.status == "verbatim" and c.quote.doc_id == CARE_ACT
    assert c.quote.matched in checker.index.documents[CARE_ACT].text
    assert c.verdict == "supported"


@pytest.mark.parametrize("quoted", [
    "WORKING IN A COLLABORATIVE WAY promotes the opportunity",  # case
    "working   in a collaborative\nway promotes the opportunity",  # whitespace
    "working in a collaborative way … to be co-producers of services",  # ellipsis
    "working in a collaborative way [...] rather than solely consumers",  # bracketed ellipsis
    "a toolkit — it enables you to ask questions",  # em dash where the corpus has an en dash
    "the growing popularity of strengths‐based social care",  # Unicode hyphen
    "what support might be available from their wider support network",
])
def test_quotation_normalisation_keeps_it_verbatim(checker, quoted):
    q = check_quote(quoted, checker.index.documents)
    assert q.status == "verbatim", q


def test_curly_apostrophe_matches_straight(checker):
    doc = next(d for d in checker.index.documents.values() if "person’s" in d.text or "person's" in d.text)
    straight = check_quote("look at a person's life holistically", {doc.doc_id: doc})
    curly = check_quote("look at a person’s life holistically", {doc.doc_id: doc})
    assert straight.status == curly.status


def test_altered_quotation_names_the_changed_words(checker):
    c = one(checker, 'The Care Act guidance says "Working in a collaborative way promotes the chance for '
                     'individuals to be co-producers of services".')
    assert c.quote.status == "altered" and c.quote.changed == ["chance → opportunity"]
    assert c.verdict == "unsupported"  # an altered quotation sinks the claim however close the rest is
    assert "‘chance’ where the guidance has ‘opportunity’" in c.reason and "opportunity" in c.fix
    assert "Care Act 2014 guidance" in c.reason  # the document is named by its title


def test_invented_quotation_is_not_found(checker):
    c = one(checker, 'SCIE says “social workers should always fill in the assessment form before the first visit”.')
    assert c.quote.status == "not_found" and c.quote.changed == []
    assert c.verdict == "unsupported" and "not in the guidance" in c.reason


# ---------------------------------------------------------------- report, input limits


REPORT_TEXT = (f"{FAMILY} (para 6.64). A strengths-based approach should be considered a quick fix. "
               'The guidance says "Working in a collaborative way promotes the chance for individuals".')


def test_markdown_report_shows_verdict_evidence_and_fix(checker):
    md = to_markdown(checker.check(REPORT_TEXT))
    assert md.startswith("## Citation check: 3 claims")
    assert "1 supported, 1 unsupported, 1 contradicted" in md
    for heading in ("### 1. Supported", "### 2. Contradicted", "### 3. Unsupported"):
        assert heading in md
    assert "- **Cited:** (para 6.64)" in md
    assert "- **Quotation:** altered (chance → opportunity)" in md
    assert md.count("- **Evidence** (") == 3 and "should not be considered a quick fix" in md
    assert md.count("- **What to do:**") == 2  # the supported claim needs no fix


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_one_clear_message(checker, text):
    with pytest.raises(InputError) as e:
        checker.check(text)
    assert "\n" not in str(e.value) and "empty" in str(e.value)


def test_huge_text_is_one_clear_message(checker):
    with pytest.raises(InputError) as e:
        checker.check("Carers matter. " * 5000)
    assert "\n" not in str(e.value) and "limit" in str(e.value)


# ---------------------------------------------------------------- command line


def _cli(capsys, *argv) -> tuple[int, str, str]:
    from assistant.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_check_json_and_markdown(real_settings, capsys):
    code, out, _ = _cli(capsys, "check", f"{FAMILY} (para 6.64).", "--json")
    claims = json.loads(out)["claims"]
    assert code == 0 and claims[0]["verdict"] == "supported" and claims[0]["cited_doc_ids"] == [CARE_ACT]
    code, out, _ = _cli(capsys, "check", f"{FAMILY} (para 6.64).", "--markdown")
    assert code == 0 and out.startswith("## Citation check: 1 claim") and "### 1. Supported" in out


@pytest.mark.parametrize("suffix", [".txt", ".md", ".docx"])
def test_cli_check_file(real_settings, capsys, tmp_path, suffix):
    path = tmp_path / f"note{suffix}"
    lines = ["Case note", f"{FAMILY} (para 6.64).", "A strengths-based approach should be considered a quick fix."]
    if suffix == ".docx":
        import docx

        d = docx.Document()
        d.add_heading(lines[0], 1)
        for line in lines[1:]:
            d.add_paragraph(line)
        d.save(path)
    else:
        path.write_text(("# " if suffix == ".md" else "") + "\n\n".join(lines), encoding="utf-8")
    code, out, err = _cli(capsys, "check", "--file", str(path), "--json")
    assert code == 0, err
    assert [c["verdict"] for c in json.loads(out)["claims"]] == ["supported", "contradicted"]


def test_cli_empty_and_missing_inputs_are_one_line(real_settings, capsys, tmp_path):
    for argv in (["check", "   "], ["check", "--file", str(tmp_path / "absent.docx")], ["check"]):
        code, out, err = _cli(capsys, *argv)
        assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: "), (argv, err)


def test_cli_batch_keeps_going_after_a_bad_line(real_index_dir):
    import os

    env = {k: v for k, v in os.environ.items()} | {"ASSISTANT_INDEX_DIR": str(real_index_dir)}
    lines = [json.dumps({"id": "c1", "text": f"{FAMILY} (para 6.64)."}), '{"id": "c2", "text": ',
             json.dumps({"id": "c3", "text": "   "}), json.dumps({"id": "c4", "text": f"Ewan King writes that {QUICK_FIX}."})]
    r = subprocess.run([sys.executable, "-m", "assistant", "check", "--batch", "-"], input="\n".join(lines) + "\n",
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert r.returncode == 1 and [o["id"] for o in out] == ["c1", None, "c3", "c4"]
    assert "not valid JSON" in out[1]["error"] and "empty" in out[2]["error"]
    for o in (out[0], out[3]):
        c = o["claims"][0]
        assert c["verdict"] == "supported" and c["evidence"][0]["quote"] and c["supporting_doc_ids"]
        assert {"text", "verdict", "cited", "supporting_doc_ids", "quote", "evidence"} <= set(c)
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------- what is a claim, quotes alike, plain reasons


NOTE = """Summary

Hi team, hope you are well.

{family} (para 6.64).

See para 6.64.
Care Act 2014 guidance, para 6.64.
What does the guidance say about carers?

Many thanks,
Sam
"""


def test_headings_greetings_questions_and_lone_references_are_not_claims(checker):
    rep = checker.check(NOTE.format(family=FAMILY))
    assert [c.text for c in rep.claims] == [f"{FAMILY} (para 6.64)."]
    assert rep.claims[0].verdict == "supported"


def test_a_short_line_that_says_something_is_still_checked(checker):
    rep = checker.check("Thanks to carers, the plan worked.\nPage: 4")
    assert [c.text for c in rep.claims] == ["Thanks to carers, the plan worked."]


@pytest.mark.parametrize("open_, close", [('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’")])
def test_a_misquotation_is_caught_in_single_and_double_quotes(checker, open_, close):
    c = one(checker, f"Ewan King writes that {open_}a strengths-based approach should be considered a quick fix{close}.")
    assert c.quote is not None and c.quote.status == "altered" and c.quote.changed == ["-not"]
    assert c.verdict == "unsupported" and "‘not’ left out" in c.reason


@pytest.mark.parametrize("variant", [
    "looks at a person’s life holistically",
    "looks at a person's life holistically",  # a straight apostrophe where the guidance has a curly one
    "looks at a person\u2019s life\u00a0holistically",  # a no-break space
    "an approach that looks at a person's life holistically – considering their needs",  # a dash for a comma
])
def test_typographic_variants_are_never_changes(checker, variant):
    doc = next(d for d in checker.index.documents.values() if "person’s" in d.text or "person's" in d.text)
    q = check_quote(variant, {doc.doc_id: doc})
    assert q.status == "verbatim" and not q.changed


def test_reasons_are_plain_english_naming_documents_by_title(checker):
    titles = {d.title for d in checker.index.documents.values()}
    texts = ["Strengths-based approaches are mainly about filling in assessment forms quickly.",
             "A strengths-based approach should be considered a quick fix.",
             "Ewan King says that " + FAMILY[0].lower() + FAMILY[1:] + "."]
    for text in texts:
        c = one(checker, text)
        said = f"{c.reason} {c.fix}"
        assert any(t in said for t in titles), said
        assert "similarity" not in said and "%" not in said, said
        assert not re.search(r"'\w+(?:, \w+)+'", said), said  # no list of stemmed words


# ---------------------------------------------------------------- figures that differ: contradicted

LANTERN = """---
title: Lantern Visits for Carers
publisher: Test Borough Council
---
# Lantern visits

Practitioners should offer every carer a lantern visit within 14 days of the carer's assessment.

Lantern visits began in 2019 and about 40% of carers in the borough have had one.
"""


@pytest.fixture(scope="module")
def lantern_checker(tmp_path_factory):
    """A real-model index of the shipped corpus plus one generated document with a duration, a year and a share."""
    import shutil

    from assistant.core import Assistant
    from assistant.settings import load_settings

    root = tmp_path_factory.mktemp("lantern")
    shutil.copytree(CORPUS, root / "corpus")
    (root / "corpus" / "guidance" / "lantern-visits.md").write_text(LANTERN, encoding="utf-8")
    a = Assistant(load_settings(corpus_dir=root / "corpus", index_dir=root / "indexes", home=root))
    a.ensure_index(progress=False)
    return a


@pytest.mark.parametrize("claim, said, theirs", [
    ("Practitioners should offer every carer a lantern visit within 48 hours of the carer's assessment.",
     "48 hours", "14 days"),
    ("Practitioners should offer every carer a lantern visit within six weeks of the carer's assessment.",
     "6 weeks", "14 days"),
    ("Lantern visits began in 2016 and about 40% of carers in the borough have had one.", "2016", "2019"),
    ("Lantern visits began in 2019 and about 75% of carers in the borough have had one.", "75%", "40%"),
])
def test_a_different_figure_duration_or_date_is_contradicted(lantern_checker, claim, said, theirs):
    c = one(lantern_checker, claim)
    assert c.verdict == "contradicted", (c.reason, c.signals)
    assert said in c.reason and theirs in c.reason and "Lantern Visits for Carers" in c.reason


def test_the_same_figures_are_supported(lantern_checker):
    c = one(lantern_checker, "Practitioners should offer every carer a lantern visit within fourteen days of "
                             "the carer's assessment.")
    assert c.verdict == "supported", c.reason
