"""HTML pages: the main content, with navigation, banners and other boilerplate removed."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.clean import (
    BINARY_CONTROLS,
    clean_text,
    decode_text,
    join_blocks,
    make_document,
)
from assistant.ingest.webclean import clean_web_markdown
from assistant.types import Document

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
              "button", "template", "object", "embed", "select", "textarea", "input", "dialog", "menu", "head"]
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog"}
# Class / id / aria-label tokens of cookie banners, breadcrumbs, share bars and skip links.
# Not bare "consent": guidance pages have sections about consent.
_BOILERPLATE = re.compile(r"cookie|(?:cc|consent)-?(?:banner|manager|notice)|gdpr|breadcrumb|skip-?link|skip-?to|"
                          r"social-?share|share-?(?:bar|links|buttons|tools|this)|(?:^|\s)share(?:\s|$)|newsletter|"
                          r"site-?(?:header|footer|nav)", re.IGNORECASE)
_KEEP_ALWAYS = {"html", "body", "main", "article"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "blockquote", "pre", "table", "thead", "tbody", "tr",
               "td", "th", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address", "details",
               "summary", "center", "body", "html", "caption", "hr"}
_HEADING_TAGS = {f"h{i}": i for i in range(1, 7)}
_LINK_BREAKERS = sorted(_BLOCK_TAGS | set(_HEADING_TAGS) | {"li", "br"})  # tags that would split a link's text


def load_html(data: bytes, path: Path) -> Document:
    """trafilatura finds the main content; our own walk is the fallback when it keeps too little."""
    from bs4 import BeautifulSoup

    html = _decode_html(data, path.name)
    soup = BeautifulSoup(html, "html.parser")
    meta = _html_meta(soup)
    _strip_boilerplate(soup)
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup
    ours = clean_web_markdown(join_blocks(_html_blocks(root)))
    main = _trafilatura(str(soup))  # hidden parts, scripts and banners already gone
    # trafilatura sometimes throws away most of a plain page, or falls back to text without its headings
    # and lists: then our own walk of the page is kept.
    structure = re.compile(r"(?m)^(?:#{1,6} |- )|\n\s*\n")
    text = main if (main and len(main) >= 0.6 * len(ours)
                    and len(structure.findall(main)) >= 0.6 * len(structure.findall(ours))) else ours
    h1 = root.find("h1")
    if h1 is not None and h1.get_text(" ", strip=True):  # the page's own heading, not the site's <title>
        meta["title"] = " ".join(h1.get_text(" ", strip=True).split())
    return make_document(path, meta, clean_text(text))


def _trafilatura(html: str) -> str:
    try:
        import trafilatura
    except ImportError:  # optional at run time: our own extraction still works
        return ""
    out = trafilatura.extract(html, output_format="markdown", include_tables=True, include_links=False,
                              include_comments=False, include_formatting=True, include_images=False,
                              favor_recall=True, deduplicate=False)
    # trafilatura escapes Markdown's special characters ("window.\\_\\_name", "\\<b>"); emphasis is read while
    # they are still escaped, then they are the page's own characters again: quotes must be the page's words
    return _MD_ESCAPE.sub(r"\1", clean_web_markdown(out)) if out else ""


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")


def _decode_html(data: bytes, name: str) -> str:
    """Honour the page's declared charset when it has one and it fits; otherwise decode as text."""
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", data[:4096], re.IGNORECASE)
    if m and not m.group(1).lower().startswith((b"utf-16", b"utf-32")):
        try:
            text = data.decode(m.group(1).decode("ascii").lower())
            if not BINARY_CONTROLS.search(text[:8192]):
                return text
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: fall back to detection
    return decode_text(data, name)


def _html_meta(soup) -> dict:
    site = _meta(soup, "og:site_name", "publisher", "dc.publisher", "dcterms.publisher")
    title = _meta(soup, "og:title", "dc.title", "dcterms.title")
    if not title and soup.title:
        title = soup.title.get_text(" ", strip=True)
        if site:  # "<page> | <site>" titles: the site is the publisher, not part of the title
            title = re.sub(r"\s*[|–—-]\s*" + re.escape(site) + r"\s*$", "", title)
    author = _meta(soup, "author", "dc.creator", "dcterms.creator", "article:author")
    date = _meta(soup, "article:published_time", "dc.date", "dcterms.date", "dcterms.issued", "date")
    canonical = soup.find("link", rel="canonical")
    url = _meta(soup, "og:url") or (canonical.get("href", "") if canonical else "")
    return {"title": title, "publisher": site, "author": "" if author.startswith("http") else author,
            "date": date[:10] if re.match(r"\d{4}-\d{2}-\d{2}", date) else date,
            "url": url if url.startswith(("http://", "https://")) else ""}


def _meta(soup, *names: str) -> str:
    for name in names:
        pattern = re.compile(rf"^{re.escape(name)}$", re.IGNORECASE)
        tag = soup.find("meta", attrs={"property": pattern}) or soup.find("meta", attrs={"name": pattern})
        if tag and (tag.get("content") or "").strip():
            return " ".join(tag["content"].split())
    return ""


def _strip_boilerplate(soup) -> None:
    """Remove everything that is not the page's own content, including all script and style."""
    from bs4 import Tag

    # An explicit walk, not find_all + .decomposed: that property searches the subtree on every call.
    stack = [(soup, False)]
    while stack:
        node, in_content = stack.pop()
        for child in list(node.children):
            if not isinstance(child, Tag):
                continue
            keep = child.name in _KEEP_ALWAYS or (child.name == "header" and in_content)  # an article's own header
            if not keep and (child.name in _DROP_TAGS or _is_hidden(child) or _is_boilerplate(child)):
                child.decompose()
            else:
                stack.append((child, in_content or child.name in ("main", "article")))


def _is_hidden(tag) -> bool:
    style = re.sub(r"\s+", "", str(tag.get("style") or "")).lower()
    return (tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).lower() == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _is_boilerplate(tag) -> bool:
    if str(tag.get("role", "")).lower() in _DROP_ROLES or "cookie" in str(tag.get("aria-label", "")).lower():
        return True
    classes = tag.get("class") or []  # aria-label is free prose, so only class and id are matched as names
    names = " ".join([*(classes if isinstance(classes, list) else [classes]), str(tag.get("id") or "")])
    return bool(_BOILERPLATE.search(names))


def _html_blocks(root) -> list[str]:
    """Walk the tree (iteratively: deep nesting must not overflow) into heading, list and text blocks."""
    from bs4 import CData, NavigableString, Tag

    blocks: list[str] = []
    buf: list[str] = []
    prefix = [""]

    def flush(end: bool = False) -> None:
        lines = [" ".join(x.split()) for x in "".join(buf).split("\n")]
        buf.clear()
        text = ("\n" if not prefix[0] else " ").join(x for x in lines if x)
        if text:
            blocks.append(prefix[0] + text)
            prefix[0] = ""
        if end:
            prefix[0] = ""

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):  # not comments, doctypes or script bodies
                buf.append(re.sub(r"\s+", " ", str(node)))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if leaving:
            if name == "a":  # links stay Markdown links until webclean has measured link density
                buf.append("](#)")
                continue
            flush(end=name in _HEADING_TAGS or name == "li")
            continue
        if name == "br":
            buf.append("\n")
            continue
        if (name == "a" and node.get("href") and node.get_text(strip=True)
                and not re.search(r"[\[\]]", node.get_text()) and node.find(_LINK_BREAKERS) is None):
            buf.append("[")
            stack.append((node, True))
        if name in _HEADING_TAGS or name == "li" or name in _BLOCK_TAGS:
            flush()
            if name in _HEADING_TAGS:
                prefix[0] = "#" * _HEADING_TAGS[name] + " "
            elif name == "li":
                prefix[0] = "- "
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.children)))
    flush()
    return blocks
