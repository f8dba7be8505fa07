"""The offline generator's query styles, and what each style's query is matched against.

Its own module because split and evaluate need the second fact without the generator.
"""

from __future__ import annotations

# Every style the offline generator writes.
STYLES = ("skills", "role_skills", "synonyms", "noisy", "tags", "title", "found_tags", "seeker")
# In the order params.yaml's queries.styles defaults to (the generator's dice depend on it).
# found_tags is opt-in: on the real postings it lowered the fine-tuned model's gains on skill
# tags and titles (benchmarks/RESULTS.md).
DEFAULT_STYLES = ("skills", "role_skills", "synonyms", "noisy", "tags", "title")
# A title query is matched against its posting without the title, in training as in evaluate's
# title set: against the whole posting it would only teach the model to copy the title's words.
TITLE_STYLES = frozenset({"title"})
