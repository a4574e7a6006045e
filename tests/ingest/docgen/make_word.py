"""Generator for a Word policy laid out the way most settings write them (python-docx, written for these tests):
headings are short bold paragraphs with no heading style, one heading is set by outline level only, the core
properties keep the template's creation date, and the issue date is in the text."""

from __future__ import annotations

import io

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

POLICY_TITLE = "Little Acorns Pre-school Safeguarding Policy"
POLICY_AUTHOR = "Sam Okafor"
SECTIONS = [
    ("Our commitment", ["Little Acorns Pre-school puts the welfare of every child first.",
                        "This policy was issued March 2025 and is reviewed every year by the committee."]),
    ("Designated safeguarding lead", ["The designated safeguarding lead is the manager, and the deputy "
                                      "manager acts in her absence.",
                                      "Tel. 01632 960 123 reaches the lead during opening hours."]),
    ("Recording a concern", ["Staff record what they saw or heard on the same day, in the child's own words "
                             "where possible, e.g. what the child said at drop-off.",
                             "The record is signed, dated and passed to the lead before the end of the session."]),
]


def policy_docx(author: str = POLICY_AUTHOR, title: str = "") -> bytes:
    d = docx.Document()  # python-docx's template: created 2013-12-23, author "python-docx"
    d.core_properties.author = author
    d.core_properties.title = title
    run = d.add_paragraph().add_run(POLICY_TITLE)
    run.bold = True
    for i, (heading, paras) in enumerate(SECTIONS):
        p = d.add_paragraph()
        if i == 2:  # a heading made with Word's "outline level" setting, not bold, no heading style
            p.add_run(heading)
            ppr = p._p.get_or_add_pPr()
            lvl = OxmlElement("w:outlineLvl")
            lvl.set(qn("w:val"), "1")
            ppr.append(lvl)
        else:
            p.add_run(heading).bold = True
        for text in paras:
            para = d.add_paragraph()
            para.add_run(text)
    d.add_paragraph().add_run("Children's welfare comes first.").bold = True  # a bold sentence, not a heading
    form = d.add_table(rows=2, cols=2)  # a concern form: bold labels in cells are not sections
    for row, label in enumerate(["Name of child", "Date of concern"]):
        form.cell(row, 0).paragraphs[0].add_run(label).bold = True
        form.cell(row, 1).text = "Write here in full sentences, please."
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()
