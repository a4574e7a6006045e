"""Multi-turn conversations (conversations.jsonl in a set folder): each turn asked with the earlier turns as
history, the way the app sends them (the user's questions and the assistant's answer texts, last 8 turns).

A line is {"id", "turns": [{"question", "gold": [...], "doc_id", "continues": bool, "refers_to"?}]}.
Per turn it scores: the gold fact is in the answer; the right document is cited; a continuation (a turn
that refers back) leads with the document it refers to; a new topic is not folded with the old one (the
searched query carries no words of the earlier turns that the question itself lacks).
"""

from __future__ import annotations

from assistant.evaluation import metrics as em
from assistant.textutil import tokens

HISTORY_TURNS = 8  # what the app sends (ui/callbacks.py)


def parse_conversation(line: dict) -> dict:
    turns = line.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ValueError("'turns' must be a non-empty list of {question, gold, doc_id, continues}")
    out = []
    for n, t in enumerate(turns, 1):
        if not isinstance(t, dict) or not isinstance(t.get("question"), str) or not t["question"].strip():
            raise ValueError(f"turn {n}: 'question' must be non-empty text")
        gold = t.get("gold", [])
        if not isinstance(gold, list) or not all(isinstance(g, str) for g in gold):
            raise ValueError(f"turn {n}: 'gold' must be a list of strings")
        if not isinstance(t.get("continues", False), bool):
            raise ValueError(f"turn {n}: 'continues' must be true or false")
        out.append({"question": t["question"], "gold": [g for g in gold if g.strip()],
                    "doc_id": t.get("doc_id") or "", "continues": bool(t.get("continues")),
                    "refers_to": t.get("refers_to") or ""})
    return {"id": line["id"], "turns": out}


def folded(question: str, searched: str, earlier: list[str]) -> bool:
    """The searched query holds words of earlier user turns that the question itself does not have (a word the
    search spelt right, "practitioners" for "practitoners", is the question's own, not folded in)."""
    own = set(tokens(question))
    before = {t for q in earlier for t in tokens(q)}
    return any(not any(_respelt(t, o) for o in own) for t in (set(tokens(searched)) - own) & before)


def _respelt(word: str, own: str) -> bool:
    """`word` is `own` spelt right: one letter added, dropped, changed or two swapped, in words of 5+ letters."""
    if min(len(word), len(own)) < 5 or abs(len(word) - len(own)) > 1:
        return False
    if len(word) == len(own):
        diff = [i for i, (a, b) in enumerate(zip(word, own)) if a != b]
        return len(diff) == 1 or len(diff) == 2 and diff[1] == diff[0] + 1 and \
            word[diff[0]] == own[diff[1]] and word[diff[1]] == own[diff[0]]
    short, long_ = sorted((word, own), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def run_conversations(a, conversations: list[dict], errors: list[str], record=None) -> dict:
    """Ask every turn with its history; gold fact, document cited, back-references and topic switches."""
    from assistant.answer.compose import split_answer_sentences
    from assistant.evaluation.reading import fragment_count, opens_unresolved

    docs = a.index.documents
    cases, cited_doc, backref, fold = [], {}, {}, {}
    for conv in conversations:
        history: list[dict] = []
        for n, t in enumerate(conv["turns"], 1):
            tid = f"{conv['id']}.{n}"
            try:
                ans = a.ask(t["question"], history[-HISTORY_TURNS:])
            except Exception as e:  # one bad turn must not stop the run
                errors.append(f"{tid}: {type(e).__name__}: {e}")
                break
            if record is not None:
                record(tid, t, ans)
            earlier = [h["content"] for h in history if h["role"] == "user"]
            history += [{"role": "user", "content": t["question"]}, {"role": "assistant", "content": ans.answer}]
            lead = ans.citations[0].doc_id if ans.citations else None
            if t["doc_id"]:
                cited_doc[tid] = any(c.doc_id == t["doc_id"] for c in ans.citations)
                if t["continues"]:
                    backref[tid] = lead == t["doc_id"]
            if not t["continues"] and earlier:
                fold[tid] = folded(t["question"], ans.searched_query or t["question"], earlier)
            sentences = split_answer_sentences(ans.answer) if not ans.abstained else []
            cases.append(em.AnswerCase(
                tid, answerable=bool(t["gold"]), abstained=ans.abstained,
                gold_found=em.gold_present(ans.answer, t["gold"]) if t["gold"] and not ans.abstained else False,
                uncited=len(em.uncited_sentences(sentences, [c.marker for c in ans.citations])),
                quotes=len(ans.citations),
                bad_quotes=sum(not em.citation_verbatim(c, docs) for c in ans.citations),
                opens_unresolved=not ans.abstained and opens_unresolved(ans.answer),
                fragments=0 if ans.abstained else fragment_count(ans.answer, ans.citations, docs)))
    answers = em.answer_metrics(cases)
    return {"turns": len(cases), "conversations": len(conversations),
            "gold_fact": answers["gold_fact"], "cited": answers["cited"], "verbatim": answers["verbatim"],
            "opens_unresolved": answers["opens_unresolved"], "fragments": answers["fragments"],
            "doc_cited": em.rate(sum(cited_doc.values()), len(cited_doc)),
            "backref_resolved": em.rate(sum(backref.values()), len(backref)), "continuations": len(backref),
            "folded": em.rate(sum(fold.values()), len(fold)), "new_topics": len(fold),
            "failures": {**answers["failures"], "wrong_doc": sorted(k for k, v in cited_doc.items() if not v),
                         "backref_wrong": sorted(k for k, v in backref.items() if not v),
                         "new_topic_folded": sorted(k for k, v in fold.items() if v)}}


METRICS = ("gold_fact", "doc_cited", "backref_resolved", "folded", "cited", "verbatim", "opens_unresolved",
           "fragments")
ROWS = [("Conversations", "turns (conversations)", "#conv"),
        ("", "gold fact present", "conversations.gold_fact"),
        ("", "right document cited", "conversations.doc_cited"),
        ("", "back-reference to the right document", "conversations.backref_resolved"),
        ("", "new topic folded (lower is better)", "conversations.folded"),
        ("", "every sentence cited", "conversations.cited"), ("", "quotes verbatim", "conversations.verbatim"),
        ("", "opens on an unresolved reference", "conversations.opens_unresolved"),
        ("", "quotes that are fragments", "conversations.fragments")]
