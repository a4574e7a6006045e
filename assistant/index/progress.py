"""Progress reporting shared by the ingest steps: a caller's callback, a terminal bar, or nothing."""

from __future__ import annotations

import sys
from collections.abc import Callable

Progress = Callable[[int, int, str], None]


def progress_bar(progress: bool | Progress, total: int, desc: str, unit: str) -> Progress:
    """`progress` itself when it is a callback; a tqdm bar on stderr when True; a no-op when False or nothing to do."""
    if callable(progress):
        return progress
    if not progress or not total:
        return lambda done, total, msg: None
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)

    def update(done: int, total: int, msg: str) -> None:
        bar.update(done - bar.n)
        if done >= total:
            bar.close()
    return update
