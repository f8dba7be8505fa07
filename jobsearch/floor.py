"""The relevance floor: the least cosine a posting needs to be found by the model alone.

Dense search always finds something: a query of punctuation, emoji or random
letters has a nearest posting too, and fusion's per-query min-max
normalisation gives it a fixed top score. The floor is chosen on validation
as the lowest cosine above every nonsense probe's best match among the
validation postings, so none of them finds a posting; a posting holding a
query term (BM25) needs no floor. The share of each validation query set whose
relevant posting clears the floor is recorded with it (``paths.served``).
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from jobsearch.retrieval.rankers import RankerParams

if TYPE_CHECKING:
    from jobsearch.evaluate import Embeddings, SplitTask

# what a query that asks for nothing looks like: punctuation, emoji, keyboard mashing
PROBES = (
    "?", "!!!", "...", "?!?!", "#$%&*", "-- // ::", "()[]{}", "😀", "🙂🙂🙂", "🔥💯👍", "🤷",
    "asdf", "asdfghjkl", "qwerty uiop", "zxcvbnm", "jkjkjk", "aaaaaaa", "xyzzy plugh", "lorem ipsum dolor",
)
RANDOM_PROBES = 30  # and these many strings of random letters, seeded


def nonsense_queries(seed: int = 0) -> list[str]:
    """The probes: :data:`PROBES` and :data:`RANDOM_PROBES` random letter strings of one to three words."""
    rng = random.Random(seed)
    words = lambda: " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 10))) for _ in range(rng.randint(1, 3)))  # noqa: E731
    return [*PROBES, *(words() for _ in range(RANDOM_PROBES))]


def choose_floor(served: RankerParams, task: "SplitTask", embeddings: "Embeddings", model: str = "finetuned") -> tuple[RankerParams, dict]:
    """``served`` with the floor chosen on the validation ``task``, and the record of the choice.

    A floor ``served`` already has (``evaluate.served.floor`` with ``tune: false``) is kept, and measured.
    """
    probes = nonsense_queries()
    best = embeddings.postings(model, task.postings).exact_scores(embeddings.get(model, probes)).max(axis=1)
    floor = served.floor if served.floor is not None else math.floor(float(best.max()) * 1e6 + 1) / 1e6  # just above the best probe
    kept = {}
    for query_set in task.query_sets:
        scores = embeddings.postings(model, task.postings, query_set.view).exact_scores(embeddings.get(model, query_set.queries))
        relevant = [scores[i, sorted(rel)].max() for i, rel in enumerate(query_set.relevant)]
        kept[query_set.name] = round(float(np.mean(np.asarray(relevant) >= floor)), 4) if relevant else None
    record = {"floor": floor, "probes": len(probes), "probe_best_median": round(float(np.median(best)), 4), "validation_kept": kept}
    return replace(served, floor=floor), record
