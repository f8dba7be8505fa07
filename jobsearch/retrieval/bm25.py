"""A BM25 index (Lucene's variant, via bm25s) over posting texts, saved and memory-mapped back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import bm25s
import numpy as np

from jobsearch.errors import DataError
from jobsearch.retrieval.text import tokenize
from jobsearch.retrieval.typos import Typos


@dataclass
class BM25Params:
    k1: float = 1.5  # term-frequency saturation
    b: float = 0.75  # length normalisation

    def __post_init__(self) -> None:
        if self.k1 < 0:
            raise ValueError(f"k1 must be >= 0 (got {self.k1})")
        if not 0 <= self.b <= 1:
            raise ValueError(f"b must be between 0 and 1 (got {self.b})")


class BM25Index:
    """BM25 scores of every posting for a query; :attr:`typos` reads a mistyped query word as it was meant."""

    _VOCAB_FILE = "jobsearch_vocab.json"  # our token ids, beside bm25s's own files

    def __init__(self, texts: Sequence[str], params: BM25Params | None = None) -> None:
        if len(texts) == 0:
            raise DataError("BM25: cannot index an empty list of postings")
        self.params = params or BM25Params()
        self.n_docs = len(texts)
        # Token ids are assigned here (one dict lookup per token): bm25s indexes
        # ids about three times faster than strings.
        self._vocab: dict[str, int] = {}
        corpus_ids: list[list[int]] = []
        for text in texts:
            tokens = tokenize(text) if isinstance(text, str) else []
            corpus_ids.append([self._vocab.setdefault(t, len(self._vocab)) for t in tokens])
        self._bm25 = bm25s.BM25(k1=self.params.k1, b=self.params.b, method="lucene")
        # bm25s adds an empty token "" after our ids; it scores nothing and queries never use it.
        self._bm25.index((corpus_ids, dict(self._vocab)), show_progress=False)
        self._typos: Typos | None = None

    def save(self, directory: str | Path) -> None:
        """Write the index to ``directory`` (bm25s's arrays, which :meth:`load` memory-maps)."""
        directory = Path(directory)
        self._bm25.save(str(directory), show_progress=False)
        record = {"n_docs": self.n_docs, "params": asdict(self.params), "vocab": self._vocab}
        (directory / self._VOCAB_FILE).write_text(json.dumps(record))

    @classmethod
    def load(cls, directory: str | Path) -> "BM25Index":
        """The index :meth:`save` wrote, its arrays memory-mapped rather than rebuilt."""
        directory = Path(directory)
        try:
            record = json.loads((directory / cls._VOCAB_FILE).read_text())
        except (OSError, ValueError) as exc:
            raise DataError(f"{directory}: not a saved BM25 index ({exc})") from None
        index = cls.__new__(cls)
        index.params, index.n_docs, index._vocab = BM25Params(**record["params"]), int(record["n_docs"]), record["vocab"]
        index._bm25 = bm25s.BM25.load(str(directory), mmap=True, show_progress=False, load_vocab=False)
        index._typos = None
        return index

    @property
    def typos(self) -> Typos:
        """Typo correction against this index's terms (built on first use)."""
        if self._typos is None:
            # bm25s keeps each term's postings as one column of a sparse matrix: its length is how many postings hold the term
            postings_with = np.diff(np.asarray(self._bm25.scores["indptr"]))
            self._typos = Typos({term: int(postings_with[i]) for term, i in self._vocab.items()})
        return self._typos

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """BM25 score of every posting for each query, ``(n_queries, n_docs)`` (0 where no term matches)."""
        out = np.zeros((len(queries), self.n_docs), dtype=np.float32)
        for row, query in enumerate(queries):
            ids = [self._vocab[t] for t in tokenize(query) if t in self._vocab]
            if ids:
                out[row] = self._bm25.get_scores_from_ids(ids)
        return out
