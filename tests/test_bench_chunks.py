"""benchmarks/chunks.py: windows of a posting, titled after the first, and each posting's best chunk."""

import numpy as np

from benchmarks.chunks import best_chunk, chunks


def test_chunks_cover_the_posting_and_carry_its_title():
    pieces, owner = chunks(["Nurse", "Welder"], [" ".join(f"w{i}" for i in range(10)), "short text"], words=4, stride=3)
    assert pieces == ["w0 w1 w2 w3", "Nurse\n\nw3 w4 w5 w6", "Nurse\n\nw6 w7 w8 w9", "short text"]
    assert owner.tolist() == [0, 0, 0, 1]


def test_a_posting_scores_its_best_chunk():
    scores = np.array([[0.125, 0.75, 0.25, 0.5], [1.0, 0.0, 0.125, -0.25]], dtype=np.float32)
    # the third posting has no chunk: it is never ranked
    assert best_chunk(scores, np.array([0, 0, 0, 1]), 3).tolist() == [[0.75, 0.5, -np.inf], [1.0, -0.25, -np.inf]]
