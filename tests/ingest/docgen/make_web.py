"""Generators for pages saved from websites, with the furniture real saves carry (written for these tests).

`govuk_markdown()` is a guidance page saved as Markdown: a cookie banner with its own heading, a skip
link, a "Popular on" menu, a breadcrumb, an in-page contents list, numbered sections whose heading mark
sits alone on the line before the text, links in the body, a feedback widget and a footer of links.
`charity_html()` is the same kind of page as HTML: a site-name <title>, a cookie banner, navigation, an
in-page contents list, a table, and a footer.
"""

from __future__ import annotations

SITE = "Example Services Online"
PAGE_TITLE = "Support for unpaid carers"
BODY = {
    "4.1": ("Who can get support", "An adult who looks after a disabled, ill or older person without being paid "
            "can ask the council for a carer's assessment."),
    "4.2": ("What the assessment covers", "The assessment looks at how caring affects the carer's health, work "
            "and free time, and what would help them carry on."),
    "4.3": ("After the assessment", "If the carer is eligible, the council agrees a support plan with them, "
            "which may include a personal budget or a break from caring."),
}


def govuk_markdown() -> str:
    parts = [
        "## Cookies on Example Services Online",
        "We use some essential cookies to make this service work.",
        "We'd also like to use analytics cookies so we can understand how you use the service.",
        "[Accept additional cookies](https://example.org/cookies/accept) [Reject additional cookies](https://example.org/cookies/reject)",
        "[Skip to main content](#main)",
        "## Popular on Example Services Online",
        "- [Find a job](https://example.org/jobs)\n- [Check your pension](https://example.org/pension)\n"
        "- [If you die](https://example.org/die)\n- [Register to vote](https://example.org/vote)",
        "[Home](https://example.org/) > [Care](https://example.org/care) > [Carers](https://example.org/carers)",
        f"# {PAGE_TITLE}",
        "## Contents",
        "\n".join(f"- [{n} {h}](#section-{n})" for n, (h, _) in BODY.items()),
    ]
    for n, (heading, text) in BODY.items():
        parts += ["###", f"{n} {heading}",
                  f"{n} {text} Read more about [carer's assessments](https://example.org/assess) on **this** page."]
    parts += [
        "## Is this page useful?",
        "- [Yes](https://example.org/yes)\n- [No](https://example.org/no)",
        "[Report a problem with this page](https://example.org/problem)",
        "### Support links",
        "- [Help](https://example.org/help)\n- [Privacy](https://example.org/privacy)\n"
        "- [Accessibility statement](https://example.org/a11y)\n- [Terms and conditions](https://example.org/terms)",
        "All content is available under the Open Government Licence v3.0, except where otherwise stated",
        "© Crown copyright",
    ]
    return "\n\n".join(parts) + "\n"


def charity_html() -> str:
    sections = "".join(
        f"<h2 id='s{n}'>{n} {h}</h2><p>{n} {t} See <a href='/assess'>our guide to assessments</a>.</p>"
        for n, (h, t) in BODY.items())
    return f"""<!doctype html><html><head><title>Home | {SITE}</title>
<meta property="og:site_name" content="{SITE}"></head><body>
<div id="cookie-banner"><p>We use cookies to improve this site.</p><button>Accept all cookies</button></div>
<header><a href="/">{SITE}</a><nav><ul><li><a href="/about">About us</a></li><li><a href="/donate">Donate</a></li>
<li><a href="/shop">Shop</a></li></ul></nav></header>
<main><h1>{PAGE_TITLE}</h1>
<h2>Contents</h2><ul>{''.join(f"<li><a href='#s{n}'>{n} {h}</a></li>" for n, (h, _) in BODY.items())}</ul>
{sections}
<h2>What support can include</h2><ul><li>a break from caring</li><li>help with housework or shopping</li></ul>
<table><tr><th>Service</th><th>Cost</th></tr><tr><td>Carer's assessment</td><td>Free</td></tr></table>
</main>
<footer><ul><li><a href="/privacy">Privacy</a></li><li><a href="/contact">Contact us</a></li></ul>
<p>© {SITE} 2025. Registered charity number 1234567.</p></footer></body></html>"""
