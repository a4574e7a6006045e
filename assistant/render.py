"""Plain-text, JSON and Markdown rendering of results for the command line."""

from __future__ import annotations

import json
import textwrap


def _source(c) -> str:
    heads = c.section.split(" > ") if c.section else []
    section = " > ".join(heads[1:] if heads and heads[0] == c.title else heads)  # the title is said already
    where = " › ".join(x for x in (section, f"para {c.locator}" if c.locator and c.locator[0].isdigit()
                                   else c.locator) if x)
    return f"{c.title}{' · ' + c.publisher if c.publisher else ''}{' — ' + where if where else ''}"


def search(a, args, query: str) -> int:
    hits = a.search(query, args.k)
    if args.json:
        print(json.dumps([h.model_dump() for h in hits], ensure_ascii=False, indent=1))
        return 0
    if not hits:
        print("No passages found.")
    for h in hits:
        print(f"[{h.rank}] {_source(h)}  (score {h.score:.4f}, similarity {h.dense:.2f})")
        print(textwrap.indent(textwrap.fill(h.text, 100), "    "))
    return 0


def ask(a, args, question: str) -> int:
    ans = a.ask(question)
    if args.json:
        print(ans.model_dump_json(indent=1))
        return 0
    print("\n".join(textwrap.fill(line, 100, subsequent_indent="  " if line.startswith("- ") else "")
                    for line in ans.answer.splitlines()))
    for c in ans.citations:
        print(f"\n{c.marker} {_source(c)}\n    “{c.quote}”")
    if ans.abstained and ans.closest:
        print("\nClosest passages found (they do not answer the question):")
        for p in ans.closest:
            print(f"- {_source(p)}: {textwrap.shorten(p.text, 160)}")
    for n in ans.notices:
        print(f"\nNote: {n}")
    return 0


def check(a, args, text: str) -> int:
    rep = a.check(text)
    if args.json:
        print(rep.model_dump_json(indent=1))
        return 0
    from assistant.check.verify import to_markdown

    print(to_markdown(rep))
    return 0


def prompts(a, args, situation: str) -> int:
    ps = a.prompts(situation, setting=args.setting, stage=args.stage, n=args.n)
    if args.json:
        print(ps.model_dump_json(indent=1))
        return 0
    from assistant.prompts.generate import to_markdown

    print(to_markdown(ps))
    return 0


RENDERERS = {"search": search, "ask": ask, "check": check, "prompts": prompts}
