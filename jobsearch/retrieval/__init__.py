"""Ranking postings for queries, one concern a module:

* :mod:`~jobsearch.retrieval.text`: search terms of a text, and the query terms a posting matched;
* :mod:`~jobsearch.retrieval.topk`: cosine scores and the top-k of a score matrix (one tie rule);
* :mod:`~jobsearch.retrieval.bm25`: the BM25 index, saved and loaded; :mod:`~jobsearch.retrieval.typos`: its typo correction;
* :mod:`~jobsearch.retrieval.passages`: a long posting's later passages; :mod:`~jobsearch.retrieval.dense`:
  exact or approximate (HNSW) cosine search over them, a posting scoring as its best passage;
* :mod:`~jobsearch.retrieval.rankers`: the rankers search serves, their fusion, and ranking a batch of queries;
* :mod:`~jobsearch.retrieval.metrics`: mrr, ndcg and recall of ranked lists.

Conventions shared by every module: a ranking is an integer array of shape
``(n_queries, depth)`` holding posting indices best first, ``-1`` padding a row
that has fewer results; scores are float32 arrays of the same shape, higher is
better; equal scores rank the lower posting index first, so results are reproducible.
"""
