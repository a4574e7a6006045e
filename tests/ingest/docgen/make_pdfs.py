"""Generators for print-layout PDFs like the ones practitioners download (reportlab + pypdf, no apt packages).

Two documents, both written for these tests:

- `protocol_pdf()`: a multi-agency protocol. A title page, a contents page with leader dots, headings in
  two sizes, numbered paragraphs ("2.1 ...") hard-wrapped line by line, superscript footnote markers that
  touch words and numbers ("45-day⁷", "45⁴² days") with the footnotes printed small at the page foot, words
  hyphenated over a line break ("recog-" / "nised", "strengths-" / "based"), and
  a running header printed on alternate pages only, on the line under the page number.
- `manifesto_pdf()`: a two-column booklet whose sentences run from the left column into the right one,
  with a running footer beside the page number, no paragraph numbers, and figures at the start of a
  paragraph ("5.8 million apprenticeships").

`encrypt(pdf, user, owner, algorithm)` makes the owner-restricted (AES or RC4) and password-to-open copies.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

BODY, BOLD = "Helvetica", "Helvetica-Bold"
WIDTH, HEIGHT = A4

PROTOCOL_TITLE = "Anytown Modern Slavery Protocol"
PROTOCOL_HEADER = "Modern slavery protocol for practitioners"
PROTOCOL_SECTIONS = [
    ("1. Introduction", [
        ("1.1", "This protocol sets out how partner agencies in Anytown work together when an adult or child "
                "may be a victim of modern slavery, including trafficking, forced labour and domestic servitude."),
        ("1.2", "It applies to every practitioner in adult social care, children's services, health, housing "
                "and the police, and to voluntary organisations commissioned by the partnership."),
        ("1.3", "Practitioners should read it with the local safeguarding adults procedures, which remain the "
                "starting point for any concern about abuse or neglect."),
    ]),
    ("2. Recognising modern slavery", [
        ("2.1", "Indicators include a person who is not allowed to keep their own identity documents, who is "
                "moved between addresses at night, or who appears to be controlled by someone else."),
        ("2.2", "A single indicator does not prove exploitation, but several together should prompt a "
                "strengths-based conversation with the person in a safe place, with an interpreter where needed."),
        ("2.3", "Staff should record what the person says in their own words and avoid asking leading "
                "questions that could harm a later investigation, so that a concern recog-|nised early is shared, "
                "as every recognised concern must be, in a strengths-|based way."),
    ]),
    ("3. The National Referral Mechanism", [
        ("3.1", "Adults must consent before a referral is made, while children are referred without consent "
                "because they cannot consent to their own exploitation."),
        ("3.2", "After a positive reasonable grounds decision the person is entitled to support if required, "
                "and a 45-day^7 period of reflection and recovery is given before any removal."),
        ("3.3", "During the recovery period of 45^42 days the person may receive safe accommodation, "
                "medical care, counselling and help with legal advice."),
        ("3.4", "The first responder should explain what the referral means, how long a decision usually "
                "takes and who will be in contact, so the person can make an informed choice."),
    ]),
    ("4. Working together", [
        ("4.1", "Partners share information lawfully and proportionately when a person is at risk, and they "
                "record the reason for every disclosure in the case file."),
        ("4.2", "The named lead in each agency reviews cases every quarter and reports themes to the "
                "safeguarding partnership board.^9"),
    ]),
]
PROTOCOL_FOOTNOTES = {
    "7": "The period can be extended where the person needs longer to recover.",
    "42": "Counted from the date of the reasonable grounds decision.",
    "9": "https://example.org/safeguarding/partnership-board/annual-report-2024",
}

MANIFESTO_TITLE = "A Fairer Start for Every Community"
MANIFESTO_FOOTER = "Fairer Start Manifesto 2025"
MANIFESTO_SECTIONS = [
    ("Skills and work", [
        "5.8 million apprenticeships will be created over the next parliament, with places set aside for "
        "young carers and care leavers who want to train while they earn a wage^^3 of 12^^4 pounds an hour.",
        "Every apprentice will have a mentor from their own workplace, and employers will be paid for the "
        "time that mentoring takes so that small firms are not left behind.",
        "Colleges will open in the evening and at weekends, because many adults who want to learn new "
        "skills already work during the day or look after someone they love.",
    ]),
    ("Care and support", [
        "Unpaid carers will have a right to a break each year, arranged with them and paid for by the local "
        "authority, so that caring never has to cost a person their own health.",
        "Care workers will be paid at least the real living wage, and their training will be recognised "
        "wherever they work, so that experience gained in one home counts in the next.",
        "Local areas will build support around what people can do and the networks they already have, "
        "rather than waiting for a crisis before help arrives.",
        "Community groups will receive small grants with simple forms, because a lunch club or a walking "
        "group often does more for wellbeing than a formal service can.",
    ]),
    ("Homes", [
        "Councils will be able to build homes for social rent again, and older people who want to move to "
        "a smaller home near their family will be helped to do so.",
        "Adaptations such as ramps and level-access showers will be fitted within twelve weeks of an "
        "assessment, so that people can stay safely in the homes they know.",
    ]),
]


def _wrap(words: list[str], width: float, size: float) -> list[list[str]]:
    """Greedy line filling; a word "day^7" is the word plus a superscript marker."""
    lines: list[list[str]] = [[]]
    used = 0.0
    for w in words:
        if "|" in w:  # "recog-|nised": the word is broken over two lines with a hyphen, as typesetters do
            left, right = w.split("|")
            lines[-1].append(left)
            lines.append([right])
            used = _word_width(right, size)
            continue
        ww = _word_width(w, size)
        space = stringWidth(" ", BODY, size) if lines[-1] else 0
        if lines[-1] and used + space + ww > width:
            lines.append([])
            used, space = 0.0, 0
        lines[-1].append(w)
        used += space + ww
    return lines


def _word_width(word: str, size: float) -> float:
    base, _, mark = word.replace("^^", "^").partition("^")
    return stringWidth(base, BODY, size) + (stringWidth(mark, BODY, size * 0.6) if mark else 0)


def _draw_line(c: Canvas, x: float, y: float, words: list[str], size: float) -> None:
    for w in words:
        rise = 0.12 if "^^" in w else 0.4  # "wage^^3": a marker raised only a little, as some exports do
        base, _, mark = w.replace("^^", "^").partition("^")
        c.setFont(BODY, size)
        c.drawString(x, y, base)
        x += stringWidth(base, BODY, size)
        if mark:
            c.setFont(BODY, size * 0.6)
            c.drawString(x, y + size * rise, mark)
            x += stringWidth(mark, BODY, size * 0.6)
        x += stringWidth(" ", BODY, size)


class _Pages:
    """A canvas with a cursor, page furniture drawn on every page after the first."""

    def __init__(self, furniture, title: str = "", author: str = ""):
        self.buf = io.BytesIO()
        self.c = Canvas(self.buf, pagesize=A4)
        if title:
            self.c.setTitle(title)
        if author:
            self.c.setAuthor(author)
        self.furniture, self.page, self.y = furniture, 1, HEIGHT - 90
        self.notes: list[tuple[str, str]] = []

    def new_page(self) -> None:
        self._finish_page()
        self.c.showPage()
        self.page += 1
        self.y = HEIGHT - 90

    def _finish_page(self) -> None:
        y = 70
        for mark, text in reversed(self.notes):
            self.c.setFont(BODY, 7.5)
            self.c.drawString(72, y, mark)
            self.c.drawString(82, y, text)
            y += 10
        self.notes = []
        self.furniture(self.c, self.page)

    def save(self) -> bytes:
        self._finish_page()
        self.c.save()
        return self.buf.getvalue()

    def text(self, s: str, size: float = 10.5, font: str = BODY, x: float = 72, width: float = WIDTH - 144,
             gap: float = 8) -> None:
        if font != BODY:
            self.c.setFont(font, size)
            self.c.drawString(x, self.y, s)
            self.y -= size * 1.3 + gap
            return
        for line in _wrap(s.split(), width, size):
            if self.y < 110:
                self.new_page()
            _draw_line(self.c, x, self.y, line, size)
            self.y -= size * 1.35
        self.y -= gap


def _protocol_furniture(c: Canvas, page: int) -> None:
    if page == 1:
        return
    c.setFont(BODY, 9)
    if page % 2:  # odd pages: page number at the top right, the running header on the line under it
        c.drawRightString(WIDTH - 72, HEIGHT - 40, str(page))
        c.drawRightString(WIDTH - 72, HEIGHT - 52, PROTOCOL_HEADER)
    else:
        c.drawString(72, HEIGHT - 40, str(page))


def protocol_pdf(title_in_metadata: bool = False, leaders: bool = True) -> bytes:
    doc = _Pages(_protocol_furniture, title=PROTOCOL_TITLE if title_in_metadata else "Microsoft Word - protocol v3.docx",
                 author="Anytown Safeguarding Partnership")
    doc.y = HEIGHT - 250
    doc.text(PROTOCOL_TITLE, size=24, font=BOLD, gap=16)
    doc.text("Guidance for practitioners in every partner agency. Issued March 2025.")
    doc.new_page()
    doc.text("Contents", size=16, font=BOLD)
    for i, (heading, _) in enumerate(PROTOCOL_SECTIONS):
        if leaders:
            doc.text(heading + " " + "." * (70 - len(heading)) + f" {3 + i}", gap=2)
        else:  # the page number set at the right margin, no dots
            doc.c.setFont(BODY, 10.5)
            doc.c.drawString(72, doc.y, heading)
            doc.c.drawRightString(WIDTH - 72, doc.y, str(3 + i))
            doc.y -= 16
    for i, (heading, paras) in enumerate(PROTOCOL_SECTIONS):
        doc.new_page()
        doc.text(heading, size=16, font=BOLD)
        if i == 2:
            doc.text("Referral and support", size=12.5, font=BOLD)
        for number, para in paras:
            doc.text(f"{number} {para}")
            for mark in (w.partition("^")[2] for w in para.split() if "^" in w):
                doc.notes.append((mark, PROTOCOL_FOOTNOTES[mark]))
    return doc.save()


def _manifesto_furniture(c: Canvas, page: int) -> None:
    c.setFont(BODY, 8.5)
    c.drawString(72, 40, MANIFESTO_FOOTER)
    c.drawRightString(WIDTH - 72, 40, str(page))


def manifesto_pdf() -> bytes:
    doc = _Pages(_manifesto_furniture, title=MANIFESTO_TITLE, author="Fairer Start Party")
    doc.text(MANIFESTO_TITLE, size=22, font=BOLD, gap=14)
    col_w = (WIDTH - 144 - 24) / 2
    for heading, paras in MANIFESTO_SECTIONS:
        doc.text(heading, size=15, font=BOLD)
        # Lay the section out in two columns of equal height: the text runs down the left, then the right.
        lines: list[list[str] | None] = []
        for para in paras:
            lines.extend(_wrap(para.split(), col_w, 10))
            lines.append(None)  # paragraph gap
        half = (len(lines) + 1) // 2
        top = doc.y
        for col, part in enumerate((lines[:half], lines[half:])):
            y = top
            for line in part:
                if line is None:
                    y -= 8
                    continue
                _draw_line(doc.c, 72 + col * (col_w + 24), y, line, 10)
                y -= 13.5
            low = y if col == 0 else min(low, y)
        doc.y = low - 16
        doc.new_page()
    return doc.save()


def encrypt(pdf: bytes, user: str = "", owner: str = "owner-secret", algorithm: str = "AES-128") -> bytes:
    """A copy restricted by an owner password (`user=""`: opens without one) or locked by a user password."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user, owner_password=owner, algorithm=algorithm, permissions_flag=0)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


if __name__ == "__main__":  # write the fixtures to look at: python tests/ingest/docgen/make_pdfs.py OUTDIR
    import sys
    from pathlib import Path

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    (out / "protocol.pdf").write_bytes(protocol_pdf())
    (out / "manifesto.pdf").write_bytes(manifesto_pdf())
    (out / "protocol-aes.pdf").write_bytes(encrypt(protocol_pdf()))


STRATEGY_TITLE = "Carers Strategy 2025 to 2030"
STRATEGY_FOOTER = "Anytown Council Carers Strategy"
STRATEGY_BULLETS = ["information and advice in one place",
                    "a break from caring that fits around work, e.g. evenings and weekends"]


def strategy_pdf() -> bytes:
    """A typeset (platypus) strategy: justified text with real spaces, styled headings, bullets drawn with a
    glyph that has no Unicode, a footer beside "Page N of M", and paragraphs that run over page breaks."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate

    ss = getSampleStyleSheet()
    body = ss["BodyText"]
    body.alignment = TA_JUSTIFY
    sentence = ("Carers tell us that what helps most is being recognised early, having a break that suits them, "
                "and knowing who to call when things change. ")

    def foot(c, d):
        c.setFont(BODY, 8)
        c.drawString(72, 30, STRATEGY_FOOTER)
        c.drawRightString(WIDTH - 72, 30, f"Page {d.page}")

    story = [Paragraph(STRATEGY_TITLE, ss["Title"]), Paragraph("1 Our vision", ss["Heading1"])]
    for i in range(6):
        story.append(Paragraph(f"1.{i + 1} " + sentence * 4, body))
        if i == 2:
            story.append(ListFlowable([ListItem(Paragraph(b, body)) for b in STRATEGY_BULLETS], bulletType="bullet"))
    story.append(Paragraph("2 Next steps", ss["Heading1"]))
    story.extend(Paragraph(f"2.{i + 1} " + sentence * 4, body) for i in range(6))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title="", author="Anytown Council").build(story, onFirstPage=foot,
                                                                                   onLaterPages=foot)
    return buf.getvalue()


def key_points_pdf(pages: int = 4) -> bytes:
    """Every page opens with the same heading, "Key points", set larger than the text: a heading, not furniture."""
    doc = _Pages(lambda c, page: (c.setFont(BODY, 9), c.drawCentredString(WIDTH / 2, 40, str(page))))
    for i in range(pages):
        if i:
            doc.new_page()
        doc.text("Key points", size=14, font=BOLD)
        doc.text(f"Point {i + 1} is that the person leads their own assessment, with the people they choose to "
                 f"involve, and the plan uses what they can already do.")
    return doc.save()
